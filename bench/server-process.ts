import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServersOptions, ServersReady, ServersReply, ServersRequest, ServersStats } from './servers.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVERS_ENTRY = fileURLToPath(new URL('./servers.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** Distributes over the union, so each request keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = WithoutId<ServersRequest>;

/** The parent's handle on one `bench/servers.ts` child: its URLs, a tiny RPC, and a sure shutdown. */
export class ServerProcess {
  readonly ready: ServersReady;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  private constructor(child: ChildProcess, ready: ServersReady) {
    this.#child = child;
    this.ready = ready;
    child.on('message', (message: ServersReply) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    child.on('exit', () => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error('server process exited'));
      this.#pending.clear();
    });
  }

  /**
   * Forks the servers with `tmpDir` as their TMPDIR, so every data folder they create sits under a
   * folder the parent deletes even if the child dies without cleaning up.
   */
  static start(name: string, options: ServersOptions, tmpDir: string): Promise<ServerProcess> {
    const child = fork(SERVERS_ENTRY, [JSON.stringify(options)], {
      cwd: REPO_ROOT,
      // BENCH_SERVER_NODE_ARGS adds Node flags to the servers (e.g. `--cpu-prof` to see where time goes).
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
      env: { ...process.env, TMPDIR: tmpDir },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} servers did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${name} servers exited during startup (code ${code})`));
      };
      child.once('exit', onExit);
      child.once('message', (message: ServersReady | { type: 'failed'; message: string }) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        if (message.type === 'ready') resolve(new ServerProcess(child, message));
        else {
          child.kill('SIGKILL');
          reject(new Error(`${name} servers failed to start: ${message.message}`));
        }
      });
    });
  }

  setBareToken(token: string): Promise<unknown> {
    return this.#call({ op: 'setBareToken', token });
  }

  async stats(): Promise<ServersStats> {
    return (await this.#call({ op: 'stats' })) as ServersStats;
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

  /** Kills at once: for the parent's own hard deadline. */
  kill(): void {
    this.#child.kill('SIGKILL');
  }

  #call(request: Request): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ ...request, id } as ServersRequest, (error) => {
        if (error) {
          this.#pending.delete(id);
          reject(error);
        }
      });
    });
  }
}
