import { Agent, request } from 'undici';
import type { TokenSource } from '../tokens/index.ts';
import { ServiceAccountError } from '../tokens/index.ts';
import { JobPause } from './engine/index.ts';

/** Who a job's calls are made for: the device API records both with every command. */
export interface Attribution {
  jobId: string;
  /** The subject of the person who started the job. */
  initiatedBy: string;
}

export interface AutomationApiOptions {
  /** The device API's base URL (the BFF's `API_UPSTREAM`). */
  baseUrl: string;
  /** The service account's tokens: never a user's. */
  tokens: TokenSource;
  /** How calls are sent: `deviceApiSender()` in production (shared by all jobs); unset: `fetch`. */
  send?: DeviceApiSender;
  fetch?: typeof fetch;
  /** How long a call keeps trying while the identity provider is down before the job pauses. */
  idpRetryBudgetMs: number;
  /** How long a call keeps trying while the device API is down before the job fails. */
  apiRetryBudgetMs: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The device API answered with an error a retry will not cure (a 4xx other than 401). */
export class DeviceApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'DeviceApiError';
    this.status = status;
    this.code = code;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  json(): Promise<unknown>;
}

export type DeviceApiSender = (
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
) => Promise<Answer>;

/**
 * Device API calls through one keep-alive pool (undici's `request`, with the time limit enforced
 * by the pool): measured, `fetch` and its per-call AbortSignal were most of a rollout step's CPU.
 */
export function deviceApiSender(timeoutMs = 15_000): DeviceApiSender {
  const agent = new Agent({ connections: 64, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return async (method, url, headers, body) => {
    const answer = await request(url, {
      method: method as 'GET',
      headers,
      body: body ?? null,
      dispatcher: agent,
    });
    return { status: answer.statusCode, json: () => answer.body.json() };
  };
}

function fetchSender(fetchImpl: typeof fetch, timeoutMs: number): DeviceApiSender {
  return async (method, url, headers, body) => {
    const response = await fetchImpl(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, json: () => response.json() };
  };
}

/**
 * The device API as automation sees it: every call made with the service account's token and the
 * job's attribution headers. It turns what can go wrong into what a job does about it: refused
 * credentials pause the job for a person (`JobPause('credentials')`), an identity provider that stays
 * down past the retry budget pauses it until the provider is back (`JobPause('idp_unavailable')`), an
 * expired token is replaced once (RFC 6750 `invalid_token`), and a device API that stays down past
 * its budget fails the step with `DeviceApiError('upstream_unavailable')`.
 */
export class AutomationApi {
  readonly #o: AutomationApiOptions;
  readonly #attribution: Attribution;
  readonly #send: DeviceApiSender;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;

  constructor(options: AutomationApiOptions, attribution: Attribution) {
    this.#o = options;
    this.#attribution = attribution;
    this.#send = options.send ?? fetchSender(options.fetch ?? fetch, options.timeoutMs ?? 15_000);
    this.#sleep = options.sleep ?? defaultSleep;
    this.#now = options.now ?? Date.now;
  }

  get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('POST', path, body);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const started = this.#now();
    let renewedToken = false;
    let force = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.#token(started, force);
      force = false;
      let response: Answer;
      try {
        response = await this.#send(
          method,
          `${this.#o.baseUrl}${path}`,
          {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            'x-job-id': this.#attribution.jobId,
            'x-initiated-by': this.#attribution.initiatedBy,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body === undefined ? undefined : JSON.stringify(body),
        );
      } catch (error) {
        await this.#retryOrFail(started, attempt, `the device API could not be reached (${String(error)})`);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return (await response.json()) as T;
      const answer = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
      if (response.status === 401 && !renewedToken) {
        // Expired or revoked in between: one new token, then the call again.
        renewedToken = true;
        force = true;
        continue;
      }
      if (response.status === 401 || (response.status === 403 && answer.error === 'insufficient_scope')) {
        throw new JobPause(
          'credentials',
          `The device API refused the service account (${answer.error ?? response.status}).`,
        );
      }
      if (response.status >= 500 || response.status === 429) {
        await this.#retryOrFail(started, attempt, `the device API answered ${response.status}`);
        continue;
      }
      throw new DeviceApiError(
        response.status,
        answer.error ?? 'upstream_error',
        answer.message ?? `HTTP ${response.status}`,
      );
    }
  }

  async #token(started: number, force: boolean): Promise<string> {
    for (;;) {
      try {
        return await this.#o.tokens.getAccessToken({ force });
      } catch (error) {
        if (!(error instanceof ServiceAccountError)) throw error;
        if (error.code === 'credentials') throw new JobPause('credentials', error.message);
        const waitMs = Math.max(1000, error.retryAfterSeconds * 1000);
        if (this.#now() + waitMs - started > this.#o.idpRetryBudgetMs) {
          throw new JobPause('idp_unavailable', error.message);
        }
        await this.#sleep(waitMs);
      }
    }
  }

  async #retryOrFail(started: number, attempt: number, why: string): Promise<void> {
    const waitMs = Math.min(10_000, 500 * 2 ** attempt);
    if (this.#now() + waitMs - started > this.#o.apiRetryBudgetMs) {
      throw new DeviceApiError(503, 'upstream_unavailable', `Gave up: ${why}.`);
    }
    await this.#sleep(waitMs);
  }
}
