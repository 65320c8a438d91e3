import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS } from '../../src/config/node-flags';

describe('node flags of the process kinds', () => {
  it('`npm run worker` starts the worker with the flags npm start and the benchmarks use', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.worker).toBe(`node ${NODE_FLAGS.worker.join(' ')} dist/src/main.js worker`);
    expect(pkg.scripts.api).toBe(`node ${[...NODE_FLAGS.api, 'dist/src/main.js'].join(' ')} api`);
  });

  it('gives the worker a bounded heap (its resident budget is 300 MB)', () => {
    const old = NODE_FLAGS.worker.find((f) => f.startsWith('--max-old-space-size='));
    expect(Number(old?.split('=')[1])).toBeLessThanOrEqual(256);
  });
});
