import { BffError } from '../errors.ts';
import type { TokenSource } from '../tokens/index.ts';
import { AutomationApi, type AutomationApiOptions, deviceApiSender } from './automation-api.ts';
import type { CommandTiming } from './device-commands.ts';
import {
  JobRunner,
  type JobRunnerOptions,
  type JobsDatabase,
  type OpenJobsDatabaseOptions,
  openJobsDatabase,
} from './engine/index.ts';
import { firmwareRolloutHandler } from './firmware-rollout.ts';
import { JobEvents } from './job-events.ts';
import type { JobKit } from './job-kit.ts';
import { recalibrationHandler } from './recalibration.ts';
import { telemetryExportHandler } from './telemetry-export.ts';

export interface JobsServiceOptions {
  database: OpenJobsDatabaseOptions;
  /** The device API's base URL. */
  apiBaseUrl: string;
  /** The service account's token source. */
  tokens: TokenSource;
  fetch?: typeof fetch;
  idpRetryBudgetMs: number;
  apiRetryBudgetMs: number;
  autoResumeSeconds: number;
  leaseSeconds: number;
  commandPollMs: number;
  commandTimeoutMs: number;
  concurrency: number;
  /** Engine tuning for tests (polling, maintenance). */
  runner?: Partial<Omit<JobRunnerOptions, 'db' | 'onChange' | 'onError'>>;
  onError?: (error: unknown) => void;
  now?: () => number;
}

export type JobsState =
  | { state: 'starting' }
  | { state: 'ready'; runner: JobRunner }
  | { state: 'failed'; message: string }
  | { state: 'stopped' };

/**
 * Automation jobs in this process: opens the jobs database in the background (pages are served
 * meanwhile; the jobs routes answer `503 jobs_unavailable` until it is ready), runs the three job
 * types on the service account, and feeds live updates to connected browsers.
 */
export class JobsService {
  readonly events: JobEvents;
  readonly #o: JobsServiceOptions;
  #state: JobsState = { state: 'starting' };
  #db: JobsDatabase | undefined;
  #starting: Promise<void> | undefined;

  constructor(options: JobsServiceOptions) {
    this.#o = options;
    this.events = new JobEvents({
      store: () => (this.#state.state === 'ready' ? this.#state.runner.store : undefined),
    });
  }

  get state(): JobsState {
    return this.#state;
  }

  /** The runner, or `503 jobs_unavailable` with `Retry-After` while there is none. */
  runner(): JobRunner {
    const state = this.#state;
    if (state.state === 'ready') return state.runner;
    if (state.state === 'starting') {
      throw new BffError('jobs_unavailable', 503, 'The jobs database is starting; try again shortly.', {
        'retry-after': '2',
      });
    }
    const message = state.state === 'failed' ? state.message : 'Automation jobs are stopped.';
    throw new BffError('jobs_unavailable', 503, message, { 'retry-after': '30' });
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    try {
      this.#db = await openJobsDatabase(this.#o.database);
      const runner = new JobRunner({
        db: this.#db,
        expireInSeconds: this.#o.leaseSeconds,
        idpRetryDelaySeconds: this.#o.autoResumeSeconds,
        ...this.#o.runner,
        onChange: (job) => this.events.changed(job),
        onError: (error) => this.#o.onError?.(error),
      });
      const kit = this.#kit(runner);
      runner.register('firmware-rollout', firmwareRolloutHandler(kit));
      runner.register('telemetry-export', telemetryExportHandler(kit));
      runner.register('recalibration', recalibrationHandler(kit, this.#o.now));
      await runner.start();
      if (this.#state.state === 'stopped') {
        await runner.stop();
        return;
      }
      this.#state = { state: 'ready', runner };
    } catch (error) {
      const message = `The jobs database could not be opened: ${error instanceof Error ? error.message : String(error)}`;
      this.#state = { state: 'failed', message };
      this.#o.onError?.(error);
      await this.#db?.close().catch(() => undefined);
      this.#db = undefined;
    }
  }

  #kit(runner: JobRunner): JobKit {
    const now = this.#o.now ?? Date.now;
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const timing: CommandTiming = {
      pollMs: this.#o.commandPollMs,
      timeoutMs: this.#o.commandTimeoutMs,
      sleep,
      now,
    };
    const apiOptions: AutomationApiOptions = {
      baseUrl: this.#o.apiBaseUrl,
      tokens: this.#o.tokens,
      idpRetryBudgetMs: this.#o.idpRetryBudgetMs,
      apiRetryBudgetMs: this.#o.apiRetryBudgetMs,
      sleep,
      now,
      ...(this.#o.fetch ? { fetch: this.#o.fetch } : { send: deviceApiSender() }),
    };
    return {
      api: (job) => new AutomationApi(apiOptions, { jobId: job.id, initiatedBy: job.initiatedBy.sub }),
      timing,
      concurrency: this.#o.concurrency,
      enqueue: (job) => runner.enqueue(job),
    };
  }

  /** Graceful: running steps checkpoint and are queued to continue after the restart. */
  async stop(): Promise<void> {
    const state = this.#state;
    this.#state = { state: 'stopped' };
    this.events.close();
    if (state.state === 'ready') await state.runner.stop();
    else await this.#starting?.catch(() => undefined);
    await this.#db?.close();
    this.#db = undefined;
  }
}
