import type { DeviceStatus, Severity } from '../api/types.ts';

// Status and severity as text with a shape (set in CSS), so colour is never the only signal.

export function StatusBadge({ status }: { status: DeviceStatus }) {
  return <span className={`badge status-${status}`}>{status}</span>;
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge severity-${severity}`}>{severity}</span>;
}
