import type { Harness } from './harness';

export const JOB_QUERY = `query($id: ID!) { job(id: $id) {
  id queue name state attempts failureReason result createdAt startedAt finishedAt progress { percent message } } }`;

/** Polls `job(id)` through the API until the job is in one of `states`. */
export async function waitForJob(
  h: Harness,
  token: string,
  id: string,
  states = ['COMPLETED', 'FAILED'],
  timeoutMs = 15_000,
): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.gql(JOB_QUERY, { id }, token);
    if (res.errors) throw new Error(`job(${id}): ${JSON.stringify(res.errors)}`);
    const job = res.data!.job;
    if (states.includes(job.state)) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
