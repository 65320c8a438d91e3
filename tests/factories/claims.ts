import { createHash, randomBytes } from 'node:crypto';
import type { GqlResult, Harness } from '../helpers/harness';
import { createDefaults, createPricedProgramme } from './pricing';
import { enrollPeople, type PersonSpec } from './people';
import { County } from '../../src/modules/counties/county.entity';
import { CountyContract } from '../../src/modules/contracts/county-contract.entity';
import { BenefitPlan, type DocumentKind } from '../../src/modules/pricing/benefit-plan.entity';
import { Programme } from '../../src/modules/programmes/programme.entity';
import { DEFAULT_PLAN } from '../../src/seed/defaults';

export const XIDE = '513432';
export const DAFANG = '520521';
export const LIPING = '522631';

export interface ContractFixture {
  id: number;
  programmeYear: number;
  countyCode: string;
  periodStart: string;
  periodEnd: string;
}

export interface ClaimsWorld {
  plan: BenefitPlan;
  programmes: Map<number, number>;
  /** `${county}:${year}` → contract. */
  contracts: Map<string, ContractFixture>;
  defaults: Awaited<ReturnType<typeof createDefaults>>;
}

/** Makes a contract ACTIVE (as the activation job would) and marks its plan used. */
export async function activate(
  h: Harness,
  contractId: number,
  status: 'ACTIVE' | 'EXPIRED' = 'ACTIVE',
): Promise<void> {
  await h.sql(
    `update county_contract set status = $2, activated_at = now(), per_capita_premium = 30.00, insured_count = 1000,
            total_premium = 30000.00 where id = $1`,
    [contractId, status],
  );
  await h.sql(
    `update benefit_plan set locked_at = coalesce(locked_at, now()) where id = (select plan_id from county_contract where id = $1)`,
    [contractId],
  );
}

/** BACKBONE-STD, programme `year` with an ACTIVE contract (1 Jan – 31 Dec) per county. */
export async function createClaimsWorld(
  h: Harness,
  year = 2020,
  counties: string[] = [XIDE, DAFANG],
): Promise<ClaimsWorld> {
  const defaults = await createDefaults(h);
  const world: ClaimsWorld = { plan: defaults.plan, programmes: new Map(), contracts: new Map(), defaults };
  await addProgramme(h, world, year, counties);
  return world;
}

/** Another programme year with contracts (ACTIVE, or EXPIRED after having been active). */
export async function addProgramme(
  h: Harness,
  world: ClaimsWorld,
  year: number,
  counties: string[],
  status: 'ACTIVE' | 'EXPIRED' = 'ACTIVE',
): Promise<void> {
  const { programme, contracts } = await createPricedProgramme(
    h,
    year,
    counties.map((code) => ({ code })),
    world.defaults,
  );
  world.programmes.set(year, programme.id);
  for (const c of contracts) {
    await activate(h, c.id, status);
    world.contracts.set(`${c.county.code}:${year}`, {
      id: c.id,
      programmeYear: year,
      countyCode: c.county.code,
      periodStart: c.periodStart,
      periodEnd: c.periodEnd,
    });
  }
}

/** A plan like BACKBONE-STD with some terms changed (e.g. no PRIVATE hospitals, review threshold 0). */
export async function createPlanVariant(
  h: Harness,
  code: string,
  over: Partial<
    Pick<
      BenefitPlan,
      'hospitalLevels' | 'reviewThreshold' | 'autoApproveLimit' | 'requiredDocuments' | 'filingWindowDays'
    >
  >,
): Promise<BenefitPlan> {
  const em = h.em();
  const plan = em.create(BenefitPlan, {
    ...DEFAULT_PLAN,
    code,
    tiers: DEFAULT_PLAN.tiers.map((t) => ({ ...t })),
    hospitalLevels: [...DEFAULT_PLAN.hospitalLevels],
    requiredDocuments: [...DEFAULT_PLAN.requiredDocuments],
    ...over,
  });
  await em.flush();
  return plan;
}

/** An ACTIVE contract of an existing programme year in a county, on the given plan. */
export async function addContractWithPlan(
  h: Harness,
  world: ClaimsWorld,
  countyCode: string,
  year: number,
  plan: BenefitPlan,
): Promise<ContractFixture> {
  const em = h.em();
  const contract = em.create(CountyContract, {
    county: em.getReference(County, countyCode as never),
    programme: em.getReference(Programme, world.programmes.get(year)!),
    programmeYear: year,
    plan: em.getReference(BenefitPlan, plan.id),
    periodStart: `${year}-01-01`,
    periodEnd: `${year}-12-31`,
    declaredHeadCount: 1000,
  });
  await em.flush();
  await activate(h, contract.id);
  const fixture = {
    id: contract.id,
    programmeYear: year,
    countyCode,
    periodStart: `${year}-01-01`,
    periodEnd: `${year}-12-31`,
  };
  world.contracts.set(`${countyCode}:${year}`, fixture);
  return fixture;
}

let personSeq = 0;

/** One person covered by the contract; the ID is issued in `idRegion` (default: the contract's county). */
export async function person(
  h: Harness,
  contract: ContractFixture,
  spec: Partial<PersonSpec> = {},
): Promise<{ insuredId: number; coverageId: number; nationalId: string }> {
  personSeq += 1;
  const [p] = await enrollPeople(h, contract, [
    {
      countyCode: spec.countyCode ?? contract.countyCode,
      birthDate: spec.birthDate ?? '1980-05-05',
      gender: spec.gender ?? (personSeq % 2 ? 'F' : 'M'),
      name: spec.name ?? '的日尼裹',
    },
  ]);
  return p!;
}

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

let seq = 0;
const run = randomBytes(3).toString('hex');

export const doc = (kind: DocumentKind, tag = String(++seq)) => ({
  kind,
  sha256: sha(`${kind}-${tag}-${run}`),
  storageKey: `claims/${run}/${tag}/${kind.toLowerCase()}.pdf`,
});

/** A good claim for a stay of 10–15 Feb 2020: x = 5,000 (payable 1,600 with nothing earlier), both required documents. */
export function claimInput(nationalId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return {
    nationalId,
    admissionDate: '2020-02-10',
    dischargeDate: '2020-02-15',
    hospitalName: '喜德县人民医院',
    hospitalLevel: 'COUNTY',
    diagnosisCode: 'A87.9',
    invoiceNumbers: [`INV-${run}-${seq}`],
    totalCost: '10000.00',
    basicInsurancePaid: '4000.00',
    criticalIllnessPaid: '500.00',
    medicalAssistancePaid: '300.00',
    excludedCost: '200.00',
    documents: [doc('INVOICE'), doc('DISCHARGE_SUMMARY')],
    settlementNumber: null,
    idempotencyKey: `key-${run}-${seq}`,
    ...over,
  };
}

export const CLAIM_FIELDS = `id claimNumber status rejectionReason flags missingDocuments countyCode programmeYear coverageId contractId
  admissionDate dischargeDate invoiceNumbers settlementNumber totalCost excludedCost eligibleOutOfPocket priorEligible payable
  dueDate slaDaysUsed overdue version reviewNote adjustmentOfId payeeAccount decidedAt approvedAt
  ruleTrace { run action step result detail }
  working { planCode priorEligible eligible cumulativeEligible deductibleTaken capReached benefitBefore benefitAfter payable tiers { index amount share } }
  nextStep { zh en }`;

export const SUBMIT = `mutation($input: SubmitClaimInput!) { submitClaim(input: $input) { replayed claim { ${CLAIM_FIELDS} } } }`;
export const SUPPLEMENT = `mutation($input: SupplementClaimInput!) { supplementClaim(input: $input) { claim { ${CLAIM_FIELDS} documents { kind sha256 } } } }`;
export const APPROVE = `mutation($input: ApproveClaimInput!) { approveClaim(input: $input) { claim { ${CLAIM_FIELDS} } } }`;
export const REJECT = `mutation($input: RejectClaimInput!) { rejectClaim(input: $input) { claim { ${CLAIM_FIELDS} } } }`;
export const REQUEST_INFO = `mutation($input: RequestClaimInfoInput!) { requestClaimInfo(input: $input) { claim { ${CLAIM_FIELDS} } } }`;
export const ADJUST = `mutation($input: AdjustClaimInput!) { adjustClaim(input: $input) { claim { ${CLAIM_FIELDS} explanation { en zh lines { code amount } } } } }`;
export const GET = `query($id: ID!) { claim(id: $id) { ${CLAIM_FIELDS} explanation { zh en lines { code labelZh labelEn amount } } } }`;

export type ClaimData = Record<string, any>;

/** Submits and returns the claim, failing the test with the errors if there are any. */
export async function submitClaim(
  h: Harness,
  token: string,
  input: Record<string, unknown>,
): Promise<ClaimData & { replayed: boolean }> {
  const res = await h.gql(SUBMIT, { input }, token);
  if (res.errors) throw new Error(`submitClaim failed: ${JSON.stringify(res.errors)}`);
  return { ...res.data!.submitClaim.claim, replayed: res.data!.submitClaim.replayed };
}

/** Runs a claim mutation and returns its claim, failing the test with the errors if there are any. */
export async function claimMutation(
  h: Harness,
  token: string,
  mutation: string,
  input: Record<string, unknown>,
): Promise<ClaimData> {
  const res: GqlResult = await h.gql(mutation, { input }, token);
  if (res.errors) throw new Error(`claim mutation failed: ${JSON.stringify(res.errors)}`);
  return Object.values(res.data!)[0].claim;
}

/** The coverage's running totals. */
export async function coverageTotals(
  h: Harness,
  coverageId: number | string,
): Promise<{ eligible: string; benefit: string; paid: string }> {
  const [row] = await h.sql<{ eligible: string; benefit: string; paid: string }>(
    'select eligible_approved::text as eligible, benefit_approved::text as benefit, benefit_paid::text as paid from coverage where id = $1',
    [coverageId],
  );
  return row!;
}
