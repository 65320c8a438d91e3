/** Actuarial engine: pure functions, no database, clock or I/O. */
export * from './chain-ladder';
export * from './credibility';
export * from './triangle';
