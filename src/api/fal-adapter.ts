// fal-js style surface (subscribe, run, queue.submit/status/result/cancel) over a TrellisClient.
// Requests run one at a time in submission order, like a single-machine fal queue.
import { toEngineError } from '../engine/errors.ts';
import type { ProgressEvent } from '../engine/protocol.ts';
import { formatProgress } from './progress-format.ts';
import { assertEndpointId, validateInput } from './schema.ts';
import type { EndpointId, GenerateOptions, InputFor, TrellisResult } from './types.ts';

export interface QueueLog {
  message: string;
  level: 'INFO' | 'ERROR';
  source: 'user';
  timestamp: string;
}

interface StatusBase {
  request_id: string;
  response_url: string;
}
export interface InQueueStatus extends StatusBase {
  status: 'IN_QUEUE';
  queue_position: number;
}
export interface InProgressStatus extends StatusBase {
  status: 'IN_PROGRESS';
  logs: QueueLog[] | null;
}
export interface CompletedStatus extends StatusBase {
  status: 'COMPLETED';
  logs: QueueLog[] | null;
  /** Set when the request failed or was cancelled; result() then rejects with the error. */
  error?: string;
  error_type?: string;
}
export type QueueStatus = InQueueStatus | InProgressStatus | CompletedStatus;

export interface FalResult {
  data: TrellisResult;
  requestId: string;
}

export interface SubmitOptions<E extends EndpointId> {
  input: InputFor[E];
}

export interface SubscribeOptions<E extends EndpointId> extends SubmitOptions<E> {
  logs?: boolean;
  onQueueUpdate?: (status: QueueStatus) => void;
  abortSignal?: AbortSignal;
}

export interface EnqueueResult {
  request_id: string;
  response_url: string;
  status_url: string;
  cancel_url: string;
  queue_position: number;
}

export interface FalQueue {
  submit<E extends EndpointId>(endpointId: E, options: SubmitOptions<NoInfer<E>>): Promise<EnqueueResult>;
  status(endpointId: EndpointId, options: { requestId: string; logs?: boolean }): Promise<QueueStatus>;
  result(endpointId: EndpointId, options: { requestId: string }): Promise<FalResult>;
  cancel(endpointId: EndpointId, options: { requestId: string }): Promise<void>;
  /** Resolves with the COMPLETED status; onQueueUpdate sees every status change. */
  subscribeToStatus(
    endpointId: EndpointId,
    options: { requestId: string; logs?: boolean; onQueueUpdate?: (status: QueueStatus) => void },
  ): Promise<CompletedStatus>;
}

export interface FalClient {
  /** Cancels every request and forgets every finished one (their results are released). */
  dispose(): Promise<void>;
  subscribe<E extends EndpointId>(endpointId: E, options: SubscribeOptions<NoInfer<E>>): Promise<FalResult>;
  run<E extends EndpointId>(endpointId: E, options: SubmitOptions<NoInfer<E>> & { abortSignal?: AbortSignal }): Promise<FalResult>;
  queue: FalQueue;
}

/** What the adapter needs from a client (TrellisClient satisfies it). */
export interface GenerationRunner {
  run<E extends EndpointId>(endpoint: E, input: InputFor[E], options?: GenerateOptions): Promise<TrellisResult>;
  /** Revokes a result's blob: URL; called for results nobody fetched before they were dropped. */
  release?(result: TrellisResult): void;
}

/**
 * Finished requests whose result can still be fetched with queue.result(); older ones are
 * forgotten (and their unfetched results released), so a long-lived page does not keep every GLB.
 * subscribe()/run() hand the result over and forget the request at once.
 */
export const KEEP_FINISHED_REQUESTS = 8;

type JobState = 'queued' | 'running' | 'done';

interface Job {
  id: string;
  endpoint: EndpointId;
  input: unknown;
  state: JobState;
  logs: QueueLog[];
  controller: AbortController;
  result?: TrellisResult;
  error?: unknown;
  /** result() or subscribe() handed the result to the caller (who now owns its blob: URL). */
  delivered?: boolean;
  listeners: Set<() => void>;
  settled: Promise<void>;
  settle: () => void;
}

function log(message: string, level: QueueLog['level'] = 'INFO'): QueueLog {
  return { message, level, source: 'user', timestamp: new Date().toISOString() };
}

function newRequestId(): string {
  return crypto.randomUUID();
}

export function createFalClient(client: GenerationRunner): FalClient {
  const jobs = new Map<string, Job>();
  const waiting: Job[] = [];
  /** Finished request ids, oldest first. */
  const finished: string[] = [];
  let active: Job | null = null;

  function forget(job: Job): void {
    jobs.delete(job.id);
    const at = finished.indexOf(job.id);
    if (at >= 0) finished.splice(at, 1);
    if (!job.delivered && job.result) client.release?.(job.result);
    job.result = undefined;
    job.listeners.clear();
  }

  const notify = (job: Job) => job.listeners.forEach((listener) => listener());

  function getJob(endpointId: EndpointId, requestId: string): Job {
    assertEndpointId(endpointId);
    const job = jobs.get(requestId);
    if (!job) {
      throw new Error(`unknown request id ${JSON.stringify(requestId)} (never submitted here, or finished and forgotten: only the last ${KEEP_FINISHED_REQUESTS} finished requests are kept, and subscribe()/run() forget theirs once returned)`);
    }
    if (job.endpoint !== endpointId) {
      throw new Error(`request ${requestId} belongs to endpoint "${job.endpoint}", not "${endpointId}"`);
    }
    return job;
  }

  function statusOf(job: Job, withLogs: boolean): QueueStatus {
    const base = { request_id: job.id, response_url: `trellis-web:${job.endpoint}/requests/${job.id}` };
    const logs = withLogs ? [...job.logs] : null;
    if (job.state === 'queued') return { ...base, status: 'IN_QUEUE', queue_position: waiting.indexOf(job) };
    if (job.state === 'running') return { ...base, status: 'IN_PROGRESS', logs };
    const done: CompletedStatus = { ...base, status: 'COMPLETED', logs };
    if (job.error !== undefined) {
      const e = job.error as { message?: string; code?: string; name?: string };
      done.error = e.message ?? String(job.error);
      done.error_type = e.code ?? e.name ?? 'Error';
    }
    return done;
  }

  function finish(job: Job, outcome: { result?: TrellisResult; error?: unknown }): void {
    job.state = 'done';
    if (outcome.error !== undefined) {
      job.error = outcome.error;
      job.logs.push(log(`failed: ${(outcome.error as Error).message ?? String(outcome.error)}`, 'ERROR'));
    } else {
      job.result = outcome.result;
    }
    job.settle();
    notify(job);
    // Everyone behind this job moved up one place.
    waiting.forEach(notify);
    finished.push(job.id);
    while (finished.length > KEEP_FINISHED_REQUESTS) {
      const old = jobs.get(finished[0]!);
      if (old) forget(old);
      else finished.shift();
    }
  }

  async function pump(): Promise<void> {
    if (active) return;
    const job = waiting.shift();
    if (!job) return;
    active = job;
    job.state = 'running';
    job.logs.push(log('started'));
    notify(job);
    waiting.forEach(notify);
    const onProgress = (event: ProgressEvent) => {
      job.logs.push(log(formatProgress(event)));
      notify(job);
    };
    try {
      const result = await client.run(job.endpoint, job.input as InputFor[EndpointId], { onProgress, signal: job.controller.signal });
      finish(job, { result });
    } catch (error) {
      finish(job, { error });
    } finally {
      active = null;
      void pump();
    }
  }

  async function submit<E extends EndpointId>(endpointId: E, options: SubmitOptions<E>): Promise<EnqueueResult> {
    assertEndpointId(endpointId);
    validateInput(endpointId, options?.input); // throws ValidationError (422) before queueing
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const job: Job = {
      id: newRequestId(),
      endpoint: endpointId,
      input: options.input,
      state: 'queued',
      logs: [],
      controller: new AbortController(),
      listeners: new Set(),
      settled,
      settle,
    };
    jobs.set(job.id, job);
    waiting.push(job);
    // As in statusOf: the number of queued requests ahead of this one (the running one not counted).
    const position = waiting.indexOf(job);
    const url = `trellis-web:${endpointId}/requests/${job.id}`;
    queueMicrotask(() => void pump());
    return { request_id: job.id, response_url: url, status_url: `${url}/status`, cancel_url: `${url}/cancel`, queue_position: position };
  }

  async function status(endpointId: EndpointId, options: { requestId: string; logs?: boolean }): Promise<QueueStatus> {
    return statusOf(getJob(endpointId, options.requestId), options.logs ?? false);
  }

  async function result(endpointId: EndpointId, options: { requestId: string }): Promise<FalResult> {
    const job = getJob(endpointId, options.requestId);
    await job.settled;
    if (job.error !== undefined) throw job.error;
    if (!job.result) throw new Error(`request ${job.id} was forgotten before its result was fetched (dispose(), or more than ${KEEP_FINISHED_REQUESTS} newer requests finished)`);
    job.delivered = true;
    return { data: job.result, requestId: job.id };
  }

  async function cancel(endpointId: EndpointId, options: { requestId: string }): Promise<void> {
    const job = getJob(endpointId, options.requestId);
    if (job.state === 'done') return;
    if (job.state === 'queued') {
      waiting.splice(waiting.indexOf(job), 1);
      finish(job, { error: toEngineError(new DOMException('request cancelled before it started', 'AbortError')) });
      return;
    }
    job.controller.abort();
  }

  async function subscribeToStatus(
    endpointId: EndpointId,
    options: { requestId: string; logs?: boolean; onQueueUpdate?: (status: QueueStatus) => void },
  ): Promise<CompletedStatus> {
    const job = getJob(endpointId, options.requestId);
    const withLogs = options.logs ?? false;
    let last = '';
    const listener = () => {
      const s = statusOf(job, withLogs);
      const key = JSON.stringify([s.status, 'queue_position' in s ? s.queue_position : null, job.logs.length]);
      if (key === last) return; // report changes only
      last = key;
      options.onQueueUpdate?.(s);
    };
    job.listeners.add(listener);
    listener();
    try {
      await job.settled;
    } finally {
      job.listeners.delete(listener);
    }
    return statusOf(job, withLogs) as CompletedStatus;
  }

  const queue: FalQueue = { submit, status, result, cancel, subscribeToStatus };

  async function subscribe<E extends EndpointId>(endpointId: E, options: SubscribeOptions<E>): Promise<FalResult> {
    const enqueued = await submit(endpointId, options);
    const requestId = enqueued.request_id;
    // The request may already have started by now; subscribers still see where it entered the queue.
    if (getJob(endpointId, requestId).state !== 'queued') {
      options.onQueueUpdate?.({ status: 'IN_QUEUE', request_id: requestId, response_url: enqueued.response_url, queue_position: enqueued.queue_position });
    }
    const onAbort = () => void cancel(endpointId, { requestId });
    options.abortSignal?.addEventListener('abort', onAbort);
    try {
      if (options.abortSignal?.aborted) onAbort();
      await subscribeToStatus(endpointId, { requestId, logs: options.logs ?? false, ...(options.onQueueUpdate ? { onQueueUpdate: options.onQueueUpdate } : {}) });
      return await result(endpointId, { requestId });
    } finally {
      options.abortSignal?.removeEventListener('abort', onAbort);
      // The caller holds the result (or the error) now; nothing else can ask for this request.
      const job = jobs.get(requestId);
      if (job?.state === 'done') forget(job);
    }
  }

  async function dispose(): Promise<void> {
    for (const job of [...waiting]) await cancel(job.endpoint, { requestId: job.id });
    if (active) active.controller.abort();
    const running = active;
    if (running) await running.settled;
    for (const job of [...jobs.values()]) forget(job);
  }

  return {
    dispose,
    subscribe,
    run: (endpointId, options) => subscribe(endpointId, { input: options.input, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) }),
    queue,
  };
}
