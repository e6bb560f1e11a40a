import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEvent, AuditFields, AuditLog } from '../audit.ts';
import type { CoordinationStore } from '../coordination/coordination-store.ts';
import type { CircuitState } from '../tokens/index.ts';

const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'open', 'half_open'];

/**
 * The BFF's Prometheus metrics, in a registry of their own (served on METRICS_PORT, never on the
 * public origin). Counters come from the audit events the BFF already records (one source of truth
 * for what happened), latencies from the proxy and the coordination store, and gauges are read at
 * scrape time (the provider circuit, jobs by state).
 */
export class BffMetrics {
  readonly registry = new Registry();
  readonly refreshes = new Counter({
    name: 'bff_refresh_total',
    help: 'Refreshes of user sessions by outcome: success, or the failure class (grant_rejected, transient, client_rejected).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly sessionsEnded = new Counter({
    name: 'bff_sessions_ended_total',
    help: 'Sessions ended, by reason (logout, backchannel_logout, refresh_token_lifetime_ended, ended_elsewhere, refresh_rejected, …).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly signIns = new Counter({
    name: 'bff_sign_in_total',
    help: 'Sign-ins by outcome (success, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly proxyDuration = new Histogram({
    name: 'bff_proxy_request_duration_seconds',
    help: 'Time to answer an /api request (token check, any refresh waited for, upstream), by status class.',
    labelNames: ['status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'bff_upstream_errors_total',
    help: '/api answers with status ≥ 500 (the device API failing or unreachable, or the IdP unavailable), by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly storeDuration = new Histogram({
    name: 'bff_store_operation_duration_seconds',
    help: 'Coordination store operations, by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  /** Gauges read when scraped. */
  watch(sources: {
    circuitState?: () => CircuitState;
    jobsByStatus?: () => Promise<Record<string, number>>;
  }): void {
    if (sources.circuitState) {
      const read = sources.circuitState;
      new Gauge({
        name: 'bff_idp_circuit_state',
        help: 'The identity provider circuit: 1 for the current state (closed, open, half_open).',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const current = read();
          for (const state of CIRCUIT_STATES) this.set({ state }, state === current ? 1 : 0);
        },
      });
    }
    if (sources.jobsByStatus) {
      const read = sources.jobsByStatus;
      new Gauge({
        name: 'bff_jobs',
        help: 'Automation jobs by status.',
        labelNames: ['status'] as const,
        registers: [this.registry],
        async collect() {
          this.reset();
          const counts = await read().catch(() => ({}));
          for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
        },
      });
    }
  }

  /** Wraps the audit log: every event is counted, then recorded as before. */
  auditing(audit: AuditLog): AuditLog {
    const record = (event: AuditEvent, fields: AuditFields = {}) => {
      this.#count(event, fields);
      audit.record(event, fields);
    };
    return new Proxy(audit, {
      get(target, property, receiver) {
        if (property === 'record') return record;
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Wraps a coordination store: each operation's time is observed. */
  timing(store: CoordinationStore): CoordinationStore {
    const histogram = this.storeDuration;
    return new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (!['get', 'getMany', 'set', 'setIfAbsent', 'delete', 'deleteIfValue'].includes(String(property))) {
          return value.bind(target);
        }
        return async (...args: unknown[]) => {
          const end = histogram.startTimer({ operation: String(property) });
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            end();
          }
        };
      },
    });
  }

  #count(event: AuditEvent, fields: AuditFields): void {
    switch (event) {
      case 'refresh':
        this.refreshes.inc({ outcome: 'success' });
        break;
      case 'refresh_failed':
        this.refreshes.inc({ outcome: String(fields.failure ?? 'unknown') });
        break;
      case 'session_ended':
        this.sessionsEnded.inc({ reason: String(fields.reason ?? 'unknown') });
        break;
      case 'logout':
        this.sessionsEnded.inc({ reason: 'logout' });
        break;
      case 'backchannel_logout':
        this.sessionsEnded.inc({ reason: 'backchannel_logout' });
        break;
      case 'sign_in':
        this.signIns.inc({ outcome: 'success' });
        break;
      case 'sign_in_failed':
        this.signIns.inc({ outcome: 'failed' });
        break;
      default:
        break;
    }
  }
}
