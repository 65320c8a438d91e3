import { DomainError } from '../../src/shared/errors';
import {
  MAX_CONFIRM_LINES,
  PayoutService,
  validateConfirmInput,
} from '../../src/modules/payouts/payout.service';

function problemsOf(fn: () => unknown): { code: string; fields: string[] } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const problems = (err.details.problems as { field: string }[] | undefined) ?? [
      { field: String(err.details.field) },
    ];
    return { code: err.code, fields: problems.map((p) => p.field) };
  }
  throw new Error('expected a DomainError');
}

describe('confirmPayoutBatch input', () => {
  it('trims and keeps valid lines', () => {
    expect(
      validateConfirmInput({
        batchId: 1,
        lines: [
          { claimNumber: ' CLM-1 ', result: 'PAID', channelReference: ' R1 ' },
          { claimNumber: 'CLM-2', result: 'FAILED', failureReason: ' closed ', channelReference: '' },
        ],
      }),
    ).toEqual([
      { claimNumber: 'CLM-1', result: 'PAID', channelReference: 'R1', failureReason: null },
      { claimNumber: 'CLM-2', result: 'FAILED', channelReference: null, failureReason: 'closed' },
    ]);
  });

  it('reports every problem with its field at once', () => {
    expect(
      problemsOf(() =>
        validateConfirmInput({
          batchId: 1,
          lines: [
            { claimNumber: '', result: 'PAID', channelReference: 'R' },
            { claimNumber: 'CLM-1', result: 'PAID' },
            { claimNumber: 'CLM-1', result: 'FAILED' },
            { claimNumber: 'CLM-3', result: 'PAID', channelReference: 'R', failureReason: 'why' },
            { claimNumber: 'CLM-4', result: 'MAYBE' as never },
            { claimNumber: 'CLM-5', result: 'PAID', channelReference: 'x'.repeat(201) },
            { claimNumber: 'CLM-6', result: 'FAILED', failureReason: 'y'.repeat(501) },
          ],
        }),
      ),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        'input.lines[0].claimNumber',
        'input.lines[1].channelReference',
        'input.lines[2].claimNumber',
        'input.lines[2].failureReason',
        'input.lines[3].failureReason',
        'input.lines[4].result',
        'input.lines[5].channelReference',
        'input.lines[6].failureReason',
      ],
    });
  });

  it('needs at least one line and at most MAX_CONFIRM_LINES', () => {
    expect(problemsOf(() => validateConfirmInput({ batchId: 1, lines: [] }))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['input.lines'],
    });
    const many = Array.from({ length: MAX_CONFIRM_LINES + 1 }, (_, i) => ({
      claimNumber: `CLM-${i}`,
      result: 'PAID' as const,
      channelReference: 'R',
    }));
    expect(problemsOf(() => validateConfirmInput({ batchId: 1, lines: many })).fields).toEqual([
      'input.lines',
    ]);
    expect(validateConfirmInput({ batchId: 1, lines: many.slice(1) })).toHaveLength(MAX_CONFIRM_LINES);
  });
});

describe('batch numbers', () => {
  it('are PAY-<county>-<runDate>-<n>', () => {
    expect(PayoutService.batchNumber('513432', '2020-03-02', 1)).toBe('PAY-513432-2020-03-02-1');
    expect(PayoutService.batchNumber('520521', '2020-12-31', 12)).toBe('PAY-520521-2020-12-31-12');
  });
});
