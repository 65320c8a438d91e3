import type { Express } from 'express';
import type { Config } from '../config/config';

/** Offline GraphQL explorer — filled in by the explorer work (placeholder mounts nothing yet). */
export function mountExplorer(_app: Express, _config: Config): void {}
