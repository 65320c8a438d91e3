import type { Express } from 'express';
import type { AppOptions } from './app';

/** Queue dashboard behind ADMIN authentication — filled in by the dashboard work. */
export function mountQueueDashboard(_app: Express, _opts: AppOptions): void {}
