import { Role, startHarness, type Harness } from '../helpers/harness';
import { seedReferenceData } from '../factories/reference';
import {
  createDraftContract,
  createPlan,
  createProgramme,
  type ProgrammeFixture,
} from '../factories/contracts';
import { BenefitPlan } from '../../src/modules/pricing/benefit-plan.entity';

const COUNTIES = [
  '513432',
  '520521',
  '522631',
  '532624',
  '532627',
  '421122',
  '420529',
  '420528',
  '420527',
  '420322',
];

let h: Harness;
let admin: string;
let statements: string[] = [];
let counting = false;

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  // Every statement of the process goes through this knex instance (MikroORM's connection).
  h.rt.orm.em
    .getConnection()
    .getKnex()
    .on('query', (q: { sql: string }) => {
      if (counting) statements.push(q.sql);
    });
});
afterAll(async () => h?.close());

async function countStatements(query: string, variables: Record<string, unknown>) {
  statements = [];
  counting = true;
  try {
    const res = await h.gql(query, variables, admin);
    expect(res.errors).toBeUndefined();
    return { res, n: statements.length, sql: [...statements] };
  } finally {
    counting = false;
  }
}

/** `n` contracts of one programme, each on its own plan so the plan loader must batch. */
async function programmeWith(year: number, n: number): Promise<ProgrammeFixture> {
  const p = await createProgramme(h, { year });
  for (const countyCode of COUNTIES.slice(0, n)) {
    const c = await createDraftContract(h, p, { countyCode });
    const plan = await createPlan(h);
    const em = h.em();
    await em.nativeUpdate('CountyContract', { id: c.id }, { plan: em.getReference(BenefitPlan, plan.id) });
  }
  return p;
}

const NESTED = `query($year: Int) {
  contracts(filter: { programmeYear: $year }, page: { first: 50 }) {
    totalCount
    edges { node { id county { nameZh } programme { year } plan { code } } }
  } }`;

/** Deeper: the programme's own loaders (funding) and the rate table join in as well. */
const DEEPER = `query($year: Int) {
  contracts(filter: { programmeYear: $year }, page: { first: 50 }) {
    edges { node { id county { nameZh provinceEn } programme { year funding { source } } plan { code lockedAt } rateTable { code } } }
  } }`;

describe('contracts with nested objects', () => {
  it('uses a small constant number of SQL statements, independent of the number of contracts', async () => {
    const small = await programmeWith(2020, 3);
    const large = await programmeWith(2021, 10);

    const three = await countStatements(NESTED, { year: small.year });
    const ten = await countStatements(NESTED, { year: large.year });

    expect(three.res.data!.contracts.edges).toHaveLength(3);
    expect(ten.res.data!.contracts.edges).toHaveLength(10);
    const nodes = ten.res.data!.contracts.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.county.nameZh)).toContain('喜德县');
    expect(new Set(nodes.map((n: any) => n.plan.code)).size).toBe(10);
    expect(nodes.every((n: any) => n.programme.year === 2021)).toBe(true);

    // token look-up, count, page, then one batched load each for county, programme, plan.
    expect(ten.n).toBe(three.n);
    expect(ten.n).toBeLessThanOrEqual(6);
    // The counter really sees the statements: one batched select per related table.
    for (const table of ['county', 'benefit_plan', 'programme']) {
      expect(ten.sql.filter((s) => s.includes(`from "${table}"`))).toHaveLength(1);
    }

    const deeperThree = await countStatements(DEEPER, { year: small.year });
    const deeperTen = await countStatements(DEEPER, { year: large.year });
    expect(deeperTen.res.data!.contracts.edges[0].node.programme.funding).toHaveLength(1);
    expect(deeperTen.n).toBe(deeperThree.n);
    expect(deeperTen.n).toBeLessThanOrEqual(8);
  });
});
