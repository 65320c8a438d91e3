import {
  normaliseDiagnosisCode,
  validateSubmission,
  type SubmitClaimData,
} from '../../src/modules/claims/adjudication';
import { makeNationalId } from '../../src/modules/enrollment/national-id';

const TODAY = '2020-03-02';
const ID = makeNationalId('513432', '1985-04-12', 123, 'F');

function input(over: Partial<SubmitClaimData> = {}): SubmitClaimData {
  return {
    nationalId: ID,
    admissionDate: '2020-02-10',
    dischargeDate: '2020-02-15',
    hospitalName: '喜德县人民医院',
    hospitalLevel: 'COUNTY',
    diagnosisCode: 'A87.9',
    invoiceNumbers: ['51000120-0001'],
    totalCost: '10000.00',
    basicInsurancePaid: '6000.00',
    criticalIllnessPaid: '500.00',
    medicalAssistancePaid: '300.00',
    excludedCost: '200.00',
    documents: [{ kind: 'INVOICE', sha256: 'A'.repeat(64), storageKey: 'claims/1/invoice.pdf' }],
    settlementNumber: 'JS-2020-1',
    payeeAccount: null,
    idempotencyKey: 'key-1',
    ...over,
  };
}

const fields = (over: Partial<SubmitClaimData>) =>
  validateSubmission(input(over), TODAY).problems.map((p) => p.field);

describe('validateSubmission', () => {
  it('normalises a good submission and computes x = total − basic − critical − assistance − excluded', () => {
    const { problems, value } = validateSubmission(
      input({ diagnosisCode: ' a879 ', hospitalName: '  喜德县人民医院 ' }),
      TODAY,
    );
    expect(problems).toEqual([]);
    expect(value).toMatchObject({
      eligibleOop: '3000.00',
      diagnosisCode: 'A87.9',
      hospitalName: '喜德县人民医院',
      documents: [{ kind: 'INVOICE', sha256: 'a'.repeat(64), storageKey: 'claims/1/invoice.pdf' }],
    });
    expect(value!.id.id).toBe(ID);
  });

  it.each([
    ['totalCost', { totalCost: '-1.00' }],
    ['basicInsurancePaid', { basicInsurancePaid: '-0.01' }],
    ['criticalIllnessPaid', { criticalIllnessPaid: '-5' }],
    ['medicalAssistancePaid', { medicalAssistancePaid: '-5' }],
    ['excludedCost', { excludedCost: '-5' }],
  ])('a negative amount is refused on its field (%s)', (field, over) => {
    expect(fields(over as Partial<SubmitClaimData>)).toEqual([field]);
  });

  it('x < 0 is refused on totalCost, saying by how much', () => {
    const { problems } = validateSubmission(input({ excludedCost: '3200.01' }), TODAY);
    expect(problems).toEqual([{ field: 'totalCost', message: expect.stringContaining('-0.01') }]);
  });

  it('x = 0 is a valid claim (it counts nothing)', () => {
    expect(validateSubmission(input({ excludedCost: '3200.00' }), TODAY).value!.eligibleOop).toBe('0.00');
  });

  it('amounts need at most two decimals; total must be more than 0', () => {
    expect(fields({ totalCost: '10.001' })).toEqual(['totalCost']);
    expect(
      fields({
        totalCost: '0',
        basicInsurancePaid: '0',
        criticalIllnessPaid: '0',
        medicalAssistancePaid: '0',
        excludedCost: '0',
      }),
    ).toEqual(['totalCost']);
  });

  it('dates: discharge before admission, admission or discharge in the future', () => {
    expect(fields({ dischargeDate: '2020-02-09' })).toEqual(['dischargeDate']);
    expect(fields({ admissionDate: '2020-03-03', dischargeDate: '2020-03-04' })).toEqual([
      'admissionDate',
      'dischargeDate',
    ]);
    expect(fields({ dischargeDate: '2020-03-03' })).toEqual(['dischargeDate']);
    expect(fields({ admissionDate: '2020-02-30' })).toEqual(['admissionDate']);
    expect(fields({ admissionDate: TODAY, dischargeDate: TODAY })).toEqual([]);
  });

  it('national ID: checked as GB 11643 (message never echoes it)', () => {
    const bad = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');
    const { problems } = validateSubmission(input({ nationalId: bad }), TODAY);
    expect(problems.map((p) => p.field)).toEqual(['nationalId']);
    expect(problems[0]!.message).not.toContain(bad);
  });

  it('invoice numbers: at least one, each well-formed and listed once', () => {
    expect(fields({ invoiceNumbers: [] })).toEqual(['invoiceNumbers']);
    expect(fields({ invoiceNumbers: ['A1', 'A1'] })).toEqual(['invoiceNumbers[1]']);
    expect(fields({ invoiceNumbers: ['A1', 'has space'] })).toEqual(['invoiceNumbers[1]']);
  });

  it('documents: kind, SHA-256 and storage key each named by index', () => {
    expect(
      fields({
        documents: [
          { kind: 'INVOICE', sha256: 'a'.repeat(64), storageKey: 'k' },
          { kind: 'PHOTO' as never, sha256: 'xyz', storageKey: '' },
        ],
      }),
    ).toEqual(['documents[1].kind', 'documents[1].sha256', 'documents[1].storageKey']);
  });

  it('hospital, level, idempotency key', () => {
    expect(fields({ hospitalName: '  ' })).toEqual(['hospitalName']);
    expect(fields({ hospitalLevel: 'CLINIC' as never })).toEqual(['hospitalLevel']);
    expect(fields({ idempotencyKey: '' })).toEqual(['idempotencyKey']);
    expect(fields({ idempotencyKey: 'has space' })).toEqual(['idempotencyKey']);
  });

  it('reports every problem at once', () => {
    expect(fields({ totalCost: '-1', diagnosisCode: '123', invoiceNumbers: [] })).toEqual([
      'diagnosisCode',
      'invoiceNumbers',
      'totalCost',
    ]);
  });
});

describe('normaliseDiagnosisCode (ICD-10)', () => {
  it.each([
    ['A87.9', 'A87.9'],
    ['a87.9', 'A87.9'],
    ['A879', 'A87.9'],
    ['J18', 'J18'],
    ['S72.001A', 'S72.001A'],
    ['C4A.9', 'C4A.9'],
    ['U07.1', 'U07.1'], // COVID-19 (WHO, 2020)
    ['J18.900x001', 'J18.900x001'], // national clinical extension
    ['J18.900X001', 'J18.900x001'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseDiagnosisCode(raw)).toBe(expected);
  });

  it.each(['', '123', 'A8', 'A87.', 'A87.12345', 'AB7.9', 'A87.U', 'A87-9', 'A87.9 x'])(
    '%j is refused',
    (raw) => {
      expect(normaliseDiagnosisCode(raw)).toBeNull();
    },
  );
});
