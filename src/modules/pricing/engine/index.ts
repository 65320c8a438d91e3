/** The pure pricing engine (pricing.md): no database, no clock, no I/O. */
export * from './types';
export { erfc, normalCdf, lognormalLev } from './math';
export {
  benefit,
  benefitExact,
  benefitWorking,
  capPoint,
  capPointExact,
  type BenefitTierWorking,
  type BenefitWorking,
} from './benefit';
export {
  ageBand,
  cellKeys,
  mapCells,
  spreadHeadCount,
  totalHeadCount,
  DEFAULT_BAND_MIX,
  DEFAULT_GENDER_MIX,
} from './population';
export { expectedPayment, manualPricing, priceContract, type ManualPricingInput } from './premium';
export {
  dayNumber,
  PricingInputError,
  validatePlan,
  validatePricingInput,
  validateRateTable,
} from './validate';
