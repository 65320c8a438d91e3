import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the API process (the worker keeps its own registry). */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'pillar_' });

export const graphqlDuration = new Histogram({
  name: 'pillar_graphql_request_duration_seconds',
  help: 'GraphQL request latency by operation name and outcome',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const httpRequests = new Counter({
  name: 'pillar_http_requests_total',
  help: 'HTTP requests by route and status',
  labelNames: ['route', 'status'] as const,
  registers: [registry],
});

export const jobCounts = new Gauge({
  name: 'pillar_queue_jobs',
  help: 'Jobs per queue and state (sampled at scrape time)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'pillar_job_duration_seconds',
  help: 'Job processing time by queue, job name and outcome (recorded by workers)',
  labelNames: ['queue', 'name', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1200],
  registers: [registry],
});

export const claimsByStatus = new Gauge({
  name: 'pillar_claims',
  help: 'Claims by status (sampled at scrape time)',
  labelNames: ['status'] as const,
  registers: [registry],
});
