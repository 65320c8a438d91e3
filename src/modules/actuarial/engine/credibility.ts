/**
 * Rate-table recalibration (renewals-actuarial.md, "Recalibration"): maximum-likelihood
 * estimates from the claims data, each blended with the current published table by
 * limited-fluctuation credibility `Z = min(1, sqrt(claims / fullCredibilityClaims))`.
 *
 * Pure: no I/O. The caller brings the data already on the table's basis — exposure in
 * insured-years (divided by the area factor if the table's frequencies are before it),
 * and log costs of eligible out-of-pocket per claim already trended to the table's
 * `baseDate` — because those adjustments need the database and the table's settings.
 */

export type CredibilityInputReason =
  | 'INVALID_FULL_CREDIBILITY'
  | 'INVALID_PRIOR'
  | 'INVALID_OBSERVATION'
  | 'UNKNOWN_CELL'
  | 'DUPLICATE_CELL'
  | 'INCONSISTENT_SUMS';

export class CredibilityInputError extends Error {
  override readonly name = 'CredibilityInputError';

  constructor(
    readonly reason: CredibilityInputReason,
    readonly field: string,
    detail: string,
  ) {
    super(`${field} ${detail}`);
  }
}

/** Claims and exposure (insured-years) of one band × gender cell. */
export interface FrequencyObservation {
  band: string;
  gender: string;
  claims: number;
  exposure: number;
}

/** Summary of the logs of one band's per-claim costs: n, Σ ln x, Σ (ln x)². */
export interface SeverityObservation {
  band: string;
  n: number;
  sumLog: number;
  sumLogSquared: number;
}

export interface SeverityParameters {
  mu: number;
  sigma: number;
}

/** The parts of a rate table that recalibration touches, shaped like the table itself. */
export interface RateTableParameters {
  /** frequency[band][gender], claims per insured-year. */
  frequency: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** severity[band], log-normal parameters of eligible out-of-pocket per claim. */
  severity: Readonly<Record<string, SeverityParameters>>;
}

export interface RecalibrationInput {
  current: RateTableParameters;
  frequency: readonly FrequencyObservation[];
  severity: readonly SeverityObservation[];
  fullCredibilityClaims: number;
}

export interface FrequencyEvidence {
  band: string;
  gender: string;
  claims: number;
  exposure: number;
  /** claims / exposure; null without exposure. */
  raw: number | null;
  z: number;
  prior: number;
  blended: number;
}

export interface SeverityEvidence {
  band: string;
  /** Claims whose cost entered the estimate; also the claim count behind the band's Z. */
  n: number;
  /** Mean of the logs; null without claims. */
  rawMu: number | null;
  /** Standard deviation of the logs (MLE, divisor n); null without claims. */
  rawSigma: number | null;
  z: number;
  prior: SeverityParameters;
  blended: SeverityParameters;
}

export interface RecalibrationResult {
  proposed: RateTableParameters;
  frequency: FrequencyEvidence[];
  severity: SeverityEvidence[];
}

/** Limited-fluctuation credibility of `claims` against the full-credibility standard. */
export function credibilityFactor(claims: number, fullCredibilityClaims: number): number {
  return Math.min(1, Math.sqrt(claims / fullCredibilityClaims));
}

/**
 * Proposes new frequencies and severities for every cell and band of the current table.
 * A cell or band without data keeps its prior (Z = 0) and still appears in the evidence;
 * data for a cell or band the table does not have is an error (band definitions differ).
 */
export function recalibrateRateTable(input: RecalibrationInput): RecalibrationResult {
  const full = input.fullCredibilityClaims;
  if (typeof full !== 'number' || !Number.isFinite(full) || full <= 0) {
    throw new CredibilityInputError(
      'INVALID_FULL_CREDIBILITY',
      'fullCredibilityClaims',
      'must be a finite number above 0',
    );
  }
  const frequencyData = indexFrequency(input.frequency, input.current.frequency);
  const severityData = indexSeverity(input.severity, input.current.severity);

  const frequencyEvidence: FrequencyEvidence[] = [];
  const proposedFrequency: Record<string, Record<string, number>> = {};
  for (const [band, byGender] of Object.entries(input.current.frequency)) {
    proposedFrequency[band] = {};
    for (const [gender, prior] of Object.entries(byGender)) {
      if (!Number.isFinite(prior) || prior < 0) {
        throw new CredibilityInputError(
          'INVALID_PRIOR',
          `current.frequency.${band}.${gender}`,
          'must be a finite non-negative number',
        );
      }
      const obs = frequencyData.get(cellKey(band, gender));
      const claims = obs?.claims ?? 0;
      const exposure = obs?.exposure ?? 0;
      const raw = exposure > 0 ? claims / exposure : null;
      // Without exposure there are no claims either (checked on input), so Z is 0.
      const z = credibilityFactor(claims, full);
      const blended = raw === null ? prior : z * raw + (1 - z) * prior;
      proposedFrequency[band][gender] = blended;
      frequencyEvidence.push({ band, gender, claims, exposure, raw, z, prior, blended });
    }
  }

  const severityEvidence: SeverityEvidence[] = [];
  const proposedSeverity: Record<string, SeverityParameters> = {};
  for (const [band, prior] of Object.entries(input.current.severity)) {
    if (!Number.isFinite(prior.mu) || !Number.isFinite(prior.sigma) || prior.sigma < 0) {
      throw new CredibilityInputError(
        'INVALID_PRIOR',
        `current.severity.${band}`,
        'must have a finite mu and a finite non-negative sigma',
      );
    }
    const data = severityData.get(band);
    const n = data?.obs.n ?? 0;
    const fit = data?.fit ?? null;
    // The band's claim count for Z is n, the claims whose costs the estimate is made of:
    // a claim without a cost (nothing eligible) says nothing about the cost distribution.
    const z = credibilityFactor(n, full);
    const blended =
      fit === null
        ? { mu: prior.mu, sigma: prior.sigma }
        : { mu: z * fit.mu + (1 - z) * prior.mu, sigma: z * fit.sigma + (1 - z) * prior.sigma };
    proposedSeverity[band] = blended;
    severityEvidence.push({
      band,
      n,
      rawMu: fit?.mu ?? null,
      rawSigma: fit?.sigma ?? null,
      z,
      prior: { mu: prior.mu, sigma: prior.sigma },
      blended,
    });
  }

  return {
    proposed: { frequency: proposedFrequency, severity: proposedSeverity },
    frequency: frequencyEvidence,
    severity: severityEvidence,
  };
}

/**
 * Log-normal maximum likelihood from the summary: mu = mean of the logs, sigma = their
 * standard deviation with divisor n (the MLE, as the spec's "maximum likelihood" asks;
 * the unbiased n − 1 version would be √(n/(n−1)) larger, which matters only for thin
 * bands, and those get little credibility anyway). One claim gives sigma 0.
 */
function logNormalMle(obs: SeverityObservation, field: string): SeverityParameters {
  const mu = obs.sumLog / obs.n;
  const meanSquare = obs.sumLogSquared / obs.n;
  const variance = meanSquare - mu * mu;
  // Σ(ln x)²/n ≥ (Σ ln x/n)² always; below it by more than rounding means the sums do not
  // come from the same claims.
  if (variance < -1e-9 * Math.max(1, meanSquare)) {
    throw new CredibilityInputError(
      'INCONSISTENT_SUMS',
      field,
      'has sumLogSquared / n below (sumLog / n)², which no set of claims can produce',
    );
  }
  return { mu, sigma: Math.sqrt(Math.max(0, variance)) };
}

function cellKey(band: string, gender: string): string {
  return JSON.stringify([band, gender]);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function indexFrequency(
  observations: readonly FrequencyObservation[],
  table: RateTableParameters['frequency'],
): Map<string, FrequencyObservation> {
  const byCell = new Map<string, FrequencyObservation>();
  observations.forEach((obs, i) => {
    const field = `frequency[${i}]`;
    if (!Object.hasOwn(table, obs.band) || !Object.hasOwn(table[obs.band], obs.gender)) {
      throw new CredibilityInputError(
        'UNKNOWN_CELL',
        field,
        `band ${obs.band} × gender ${obs.gender} is not in the current table`,
      );
    }
    if (!isCount(obs.claims)) {
      throw new CredibilityInputError(
        'INVALID_OBSERVATION',
        `${field}.claims`,
        'must be a non-negative integer',
      );
    }
    if (!isNonNegative(obs.exposure)) {
      throw new CredibilityInputError(
        'INVALID_OBSERVATION',
        `${field}.exposure`,
        'must be a finite non-negative number',
      );
    }
    if (obs.exposure === 0 && obs.claims > 0) {
      throw new CredibilityInputError(
        'INVALID_OBSERVATION',
        `${field}.exposure`,
        'is 0 but the cell has claims',
      );
    }
    const key = cellKey(obs.band, obs.gender);
    if (byCell.has(key)) {
      throw new CredibilityInputError(
        'DUPLICATE_CELL',
        field,
        `band ${obs.band} × gender ${obs.gender} appears twice`,
      );
    }
    byCell.set(key, obs);
  });
  return byCell;
}

function indexSeverity(
  observations: readonly SeverityObservation[],
  table: RateTableParameters['severity'],
): Map<string, { obs: SeverityObservation; fit: SeverityParameters | null }> {
  const byBand = new Map<string, { obs: SeverityObservation; fit: SeverityParameters | null }>();
  observations.forEach((obs, i) => {
    const field = `severity[${i}]`;
    if (!Object.hasOwn(table, obs.band)) {
      throw new CredibilityInputError('UNKNOWN_CELL', field, `band ${obs.band} is not in the current table`);
    }
    if (!isCount(obs.n)) {
      throw new CredibilityInputError('INVALID_OBSERVATION', `${field}.n`, 'must be a non-negative integer');
    }
    if (typeof obs.sumLog !== 'number' || !Number.isFinite(obs.sumLog)) {
      throw new CredibilityInputError('INVALID_OBSERVATION', `${field}.sumLog`, 'must be a finite number');
    }
    if (!isNonNegative(obs.sumLogSquared)) {
      throw new CredibilityInputError(
        'INVALID_OBSERVATION',
        `${field}.sumLogSquared`,
        'must be a finite non-negative number',
      );
    }
    if (obs.n === 0 && (obs.sumLog !== 0 || obs.sumLogSquared !== 0)) {
      throw new CredibilityInputError('INCONSISTENT_SUMS', field, 'has no claims but non-zero sums');
    }
    if (byBand.has(obs.band)) {
      throw new CredibilityInputError('DUPLICATE_CELL', field, `band ${obs.band} appears twice`);
    }
    byBand.set(obs.band, { obs, fit: obs.n === 0 ? null : logNormalMle(obs, field) });
  });
  return byBand;
}
