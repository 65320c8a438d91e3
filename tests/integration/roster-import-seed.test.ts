import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '../../src/seed';
import { BASE_STEPS as DEMO_STEPS } from '../../src/seed/demo';
import { demoRoster, demoRosters, ROSTER_SIZE, type DemoRosterContext } from '../../src/seed/demo-rosters';
import { referenceDataDir } from '../../src/seed/reference-data';
import { startHarness, type Harness } from '../helpers/harness';

const uploadDir = mkdtempSync(join(tmpdir(), 'pillar-rosters-seed-'));
process.env.UPLOAD_DIR = uploadDir;

describe('demo seed: rosters', () => {
  let h: Harness;
  let ctx: DemoRosterContext;

  beforeAll(async () => {
    h = await startHarness({ http: false });
    ctx = {
      dataDir: referenceDataDir(),
      audit: h.rt.services.audit,
      now: () => h.clock.now(),
      rosterImporter: h.rt.services.rosters.importer,
    };
  });

  afterAll(async () => {
    await h?.close();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  it('the rosters are deterministic, valid and 18–60 on the first day', () => {
    const a = demoRoster('513432');
    expect(demoRoster('513432')).toEqual(a);
    expect(a.people).toHaveLength(ROSTER_SIZE);
    expect(new Set(a.people.map((p) => p.nationalId)).size).toBe(ROSTER_SIZE);
    expect(a.rows).toHaveLength(ROSTER_SIZE + 3);
    expect(demoRoster('520521').people[0]!.nationalId).not.toBe(a.people[0]!.nationalId);
  });

  it('imports a roster per demo county through the import pipeline; a second run adds nothing', async () => {
    const result = await seedDemo(h.em(), {
      audit: h.rt.services.audit,
      now: () => h.clock.now(),
      steps: DEMO_STEPS,
    });
    expect(result.seeded).toBe(true);
    expect(demoRosters.name).toBe('rosters');
    const counts = await demoRosters.run(h.em(), ctx);
    expect(counts).toEqual({ rosterImports: 10, insured: 10 * ROSTER_SIZE, rejectedRows: 30 });
    const rejects = await h.sql<{ reason: string; n: number }>(
      'select reason, count(*)::int as n from roster_reject group by reason order by reason',
    );
    expect(rejects).toEqual([
      { reason: 'AGE_OUT_OF_RANGE', n: 10 },
      { reason: 'DUPLICATE_IN_FILE', n: 10 },
      { reason: 'INVALID_ID', n: 10 },
    ]);
    const [cov] = await h.sql<{ n: number; counties: number }>(
      `select count(*)::int as n, count(distinct county_code)::int as counties from coverage where programme_year = 2020`,
    );
    expect(cov).toEqual({ n: 3000, counties: 10 });
    const encodings = await h.sql<{ encoding: string; n: number }>(
      `select changes->>'encoding' as encoding, count(*)::int as n from audit_event
        where entity_type = 'RosterImport' and action = 'IMPORT' group by 1 order by 1`,
    );
    expect(encodings).toEqual([
      { encoding: 'gb18030', n: 5 },
      { encoding: 'utf-8', n: 5 },
    ]);
    expect(await demoRosters.run(h.em(), ctx)).toEqual({ rosterImports: 0, insured: 0, rejectedRows: 0 });
  });
});
