/**
 * A circuit breaker for one identity provider's token endpoint. After a refresh failed because the
 * provider was unreachable (or refused our client), requests that would have to wait for a refresh
 * are answered at once (`503` with `Retry-After`) instead of each spending its budget retrying; one
 * probe at a time finds out whether the provider is back. The pause grows with each failure
 * (exponential backoff with jitter) and a success closes the circuit.
 */
export interface IdpCircuitOptions {
  /** Clock in ms (tests simulate time by mocking Date). */
  now?: () => number;
  random?: () => number;
  /** Pause after the first transient failure; doubles with each further one. */
  baseMs?: number;
  maxMs?: number;
  /** Pause after the provider refused our client: a configuration fault does not fix itself quickly. */
  clientRejectedMs?: number;
}

export type CircuitPermit =
  /** Closed: call the provider, retries allowed. */
  | { kind: 'call' }
  /** The pause is over: this caller is the one probe; a single attempt. */
  | { kind: 'probe' }
  /** Open, or a probe is out: do not call the provider. */
  | { kind: 'refused'; retryAfterSeconds: number };

export type CircuitState = 'closed' | 'open' | 'half_open';

export class IdpCircuit {
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #clientRejectedMs: number;
  #failures = 0;
  #openUntil = 0;
  #probing = false;

  constructor(options: IdpCircuitOptions = {}) {
    this.#now = options.now ?? (() => Date.now());
    this.#random = options.random ?? Math.random;
    this.#baseMs = options.baseMs ?? 1000;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#clientRejectedMs = options.clientRejectedMs ?? 30_000;
  }

  get state(): CircuitState {
    if (this.#failures === 0) return 'closed';
    return this.#now() < this.#openUntil ? 'open' : 'half_open';
  }

  /** Asks to call the provider. A `probe` permit must be followed by success() or failure(). */
  permit(): CircuitPermit {
    if (this.#failures === 0) return { kind: 'call' };
    const remaining = this.#openUntil - this.#now();
    if (remaining > 0 || this.#probing) {
      return { kind: 'refused', retryAfterSeconds: Math.max(1, Math.ceil(Math.max(remaining, 1000) / 1000)) };
    }
    this.#probing = true;
    return { kind: 'probe' };
  }

  /** Seconds a refused caller should wait; 0 when closed. */
  retryAfterSeconds(): number {
    if (this.#failures === 0) return 0;
    return Math.max(1, Math.ceil((this.#openUntil - this.#now()) / 1000));
  }

  /**
   * Ends a probe that learnt nothing about the provider (another instance's result was found, the
   * refresh token was already known dead): the next caller may probe. No-op once settled.
   */
  releaseProbe(): void {
    this.#probing = false;
  }

  success(): void {
    this.#failures = 0;
    this.#openUntil = 0;
    this.#probing = false;
  }

  /** Opens (or re-opens) the circuit; `hintSeconds` is the provider's own Retry-After. */
  failure(kind: 'transient' | 'client_rejected', hintSeconds?: number): void {
    this.#failures += 1;
    this.#probing = false;
    const backoff = Math.min(this.#maxMs, this.#baseMs * 2 ** (this.#failures - 1));
    // Equal jitter: instances that saw the same outage do not all probe at the same moment.
    const jittered = backoff / 2 + this.#random() * (backoff / 2);
    const pause = kind === 'client_rejected' ? this.#clientRejectedMs : jittered;
    this.#openUntil = this.#now() + Math.max(pause, (hintSeconds ?? 0) * 1000);
  }
}
