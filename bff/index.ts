/** The BFF's public surface: build the app, or run it. */
export { type BffDeps, createBff, createOidcClient } from './app.ts';
export { type AuditLog, createAuditLog } from './audit.ts';
export { type BffConfig, BffConfigError, loadBffConfig } from './config.ts';
export { type CoordinationStore, MemoryCoordinationStore } from './coordination/coordination-store.ts';
export { BffError, type BffErrorCode } from './errors.ts';
export { type RunningBff, startBff } from './server.ts';
