/** Prometheus metrics of the BFF and the loopback server that exposes them (METRICS_PORT). */
export { BffMetrics } from './bff-metrics.ts';
export { startMetricsServer } from './metrics-server.ts';
