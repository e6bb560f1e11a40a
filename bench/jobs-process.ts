import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  BffReady,
  JobsServerOptions,
  JobsServerReady,
  JobsServerReply,
  JobsServerRequest,
  PlatformReady,
} from './jobs-servers.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./jobs-servers.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 15_000;
/** Lines of the child's stderr kept for the report (its errors, if any). */
const STDERR_LINES = 20;

/** Every child still running: the bench's hard deadline kills them (`killJobsProcesses`). */
const live = new Set<ChildProcess>();

export function killJobsProcesses(): void {
  for (const child of live) child.kill('SIGKILL');
}

type ReadyOf<R> = R extends 'platform' ? PlatformReady : BffReady;

/** The parent's handle on one `bench/jobs-servers.ts` child (the platform, or the BFF with jobs). */
export class JobsProcess<R extends JobsServerOptions['role']> {
  readonly ready: ReadyOf<R>;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #stderr: string[];
  #nextId = 1;

  private constructor(child: ChildProcess, ready: ReadyOf<R>, stderr: string[]) {
    this.#child = child;
    this.ready = ready;
    this.#stderr = stderr;
    child.on('message', (message: JobsServerReply) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    child.on('exit', () => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error('jobs server process exited'));
      this.#pending.clear();
    });
  }

  get pid(): number {
    return this.#child.pid as number;
  }

  /** What the child wrote to stderr (last lines): the BFF's `jobs_error` lines, for one. */
  get stderr(): readonly string[] {
    return this.#stderr;
  }

  /** Forks the child with `tmpDir` as its TMPDIR (its data folders go under a folder the bench deletes). */
  static start<R extends JobsServerOptions['role']>(
    role: R,
    env: Record<string, string>,
    tmpDir: string,
  ): Promise<JobsProcess<R>> {
    const options: JobsServerOptions = { role, env };
    const child = fork(ENTRY, [JSON.stringify(options)], {
      cwd: REPO_ROOT,
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
      env: { ...process.env, TMPDIR: tmpDir },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const stderr: string[] = [];
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      stderr.push(...lines.filter(Boolean));
      if (stderr.length > STDERR_LINES) stderr.splice(0, stderr.length - STDERR_LINES);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${role} did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${role} exited during startup (code ${code}): ${stderr.slice(-5).join(' | ')}`));
      };
      child.once('exit', onExit);
      child.once('message', (message: JobsServerReady | { type: 'failed'; message: string }) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        if (message.type === 'ready') resolve(new JobsProcess<R>(child, message as ReadyOf<R>, stderr));
        else {
          child.kill('SIGKILL');
          reject(new Error(`${role} failed to start: ${message.message}`));
        }
      });
    });
  }

  /** The BFF's audit events so far, by name (the BFF child only). */
  async audit(): Promise<Record<string, number>> {
    return (await this.#call({ op: 'audit' })) as Record<string, number>;
  }

  /** Asks the child to close its servers and delete its folders; kills it if it does not exit in time. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#call({ op: 'close' }).catch(() => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  #call(request: { op: JobsServerRequest['op'] }): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ ...request, id } as JobsServerRequest, (error) => {
        if (error) {
          this.#pending.delete(id);
          reject(error);
        }
      });
    });
  }
}
