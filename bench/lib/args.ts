import { SCALE_NAMES, type Scale } from '../generator/plan';

export interface RunArgs {
  names: string[];
  scale: Scale;
  seed: number;
  reps?: number;
  warmup?: number;
  workers?: number;
  regenerate: boolean;
  generateOnly: boolean;
  list: boolean;
  help: boolean;
}

export const DEFAULT_SEED = 2019;

export const USAGE = `usage: npm run bench -- [name…] [options]     (or: node dist/bench/run.js [name…] [options])

  name…              benchmarks to run (default: all; placeholders are listed, never run)
  --scale S          demo | medium | full (default demo)
  --seed N           generator seed (default ${DEFAULT_SEED})
  --reps N           timed repetitions (default per benchmark: 5 demo, 3 medium/full)
  --warmup N         untimed warm-up repetitions (default 1)
  --workers N        worker threads for the generator's crypto (default: one per core)
  --regenerate       rebuild the bench data set even if it is in place
  --generate-only    build the data set the named benchmarks need (all steps if none), run nothing
  --list             list the benchmarks
  --help             this text

  BENCH_DATABASE_URL overrides the database (default postgresql://postgres@127.0.0.1:5432/pillar_bench_<scale>).`;

export class ArgsError extends Error {}

export function parseArgs(argv: readonly string[]): RunArgs {
  const out: RunArgs = { names: [], scale: 'demo', seed: DEFAULT_SEED, regenerate: false, generateOnly: false, list: false, help: false };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) problems.push(`${flag} needs a value`);
      return v ?? '';
    };
    const whole = (v: string, min: number): number | undefined => {
      if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
        problems.push(`${flag}: expected a whole number ≥ ${min}, got "${v}"`);
        return undefined;
      }
      return Number(v);
    };
    switch (flag) {
      case '--scale': {
        const v = value();
        if ((SCALE_NAMES as readonly string[]).includes(v)) out.scale = v as Scale;
        else problems.push(`--scale: expected one of ${SCALE_NAMES.join(', ')}, got "${v}"`);
        break;
      }
      case '--seed':
        out.seed = whole(value(), 0) ?? out.seed;
        break;
      case '--reps':
        out.reps = whole(value(), 1);
        break;
      case '--warmup':
        out.warmup = whole(value(), 0);
        break;
      case '--workers':
        out.workers = whole(value(), 0);
        break;
      case '--regenerate':
        out.regenerate = true;
        break;
      case '--generate-only':
        out.generateOnly = true;
        break;
      case '--list':
        out.list = true;
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        if (arg.startsWith('-')) problems.push(`unknown option ${arg}`);
        else out.names.push(arg);
    }
  }
  if (problems.length) throw new ArgsError(problems.join('\n'));
  return out;
}
