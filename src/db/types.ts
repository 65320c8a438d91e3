/** Shared column shapes, so money and dates are declared the same way everywhere. */
export const MONEY = { type: 'decimal', precision: 14, scale: 2 } as const;
export const DATE = { type: 'date' } as const;
export const TIMESTAMP = { type: 'timestamptz' } as const;
