// The device API's public surface: the app factory and its options, plus the fleet model so other
// tests can predict what the API will answer.
export {
  type AccessTokenClaims,
  type DeviceApiEnv,
  type ExpiredTokenStyle,
  TOKEN_REJECTION_REASONS,
  type TokenCheckOutcome,
  type TokenRejectionReason,
} from './access-token.ts';
export type { AlertJson } from './alert-view.ts';
export { ALERT_HISTORY_MS, type AlertRule, deriveDeviceAlerts, type Severity } from './alerts.ts';
export {
  COMMAND_TYPES,
  type CommandFailureReason,
  type CommandRequest,
  type CommandType,
  type CommandView,
  DEFAULT_COMMAND_DURATION_MS,
  DEFAULT_FIRMWARE_FAILURE_RATE,
  FIRMWARE_VERSION_PATTERN,
  firmwareUpdateFails,
} from './commands.ts';
export { COMMAND_SCOPE, createDeviceApi, READ_SCOPE } from './device-api.ts';
export { DEFAULT_AUDIENCE, DEFAULT_REALM, type DeviceApiOptions } from './device-api-options.ts';
export type { DeviceDetails, DeviceStatus, DeviceSummary } from './device-view.ts';
export {
  createFleet,
  type Device,
  type Fleet,
  formatDeviceId,
  MAX_FLEET_SIZE,
  MODELS,
  type Model,
  SITES,
  type Site,
} from './fleet.ts';
export { isReporting, METRICS, type Metric, offlineWindowAt, SAMPLE_MS } from './schedule.ts';
export { MAX_POINTS, MAX_RANGE_MS, type Point, readingAt, UNITS } from './telemetry.ts';
export { type DeviceApiStats, TokenCheckCounter } from './token-stats.ts';
