import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request (or per-job) context carried implicitly: the id that ties logs and audit together. */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;
