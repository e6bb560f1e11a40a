import { memo } from 'react';
import type { Alert } from '../api/types.ts';
import { SeverityBadge } from '../components/StatusBadge.tsx';
import { formatTime, isoOf } from '../format/time.ts';
import { Link } from '../router/router.tsx';
import { DEFAULT_RANGE } from '../router/routes.ts';

export interface AlertRowProps {
  alert: Alert;
  /** Operators get an Acknowledge button on open alerts; undefined for viewers. */
  onAcknowledge?: ((alertId: string) => void) | undefined;
  acknowledging?: boolean;
  /** Shown in place of the user id when the current user acknowledged. */
  currentUser: { sub: string; name: string };
  /** Leave out the device link (on the device's own page). */
  showDevice?: boolean;
  error?: string | undefined;
}

export const AlertRow = memo(function AlertRow({
  alert,
  onAcknowledge,
  acknowledging = false,
  currentUser,
  showDevice = true,
  error,
}: AlertRowProps) {
  const who = alert.acknowledgedBy === currentUser.sub ? currentUser.name : alert.acknowledgedBy;
  return (
    <li data-testid="alert-row" className={`alert-row severity-row-${alert.severity}`}>
      <SeverityBadge severity={alert.severity} />
      <div className="alert-main">
        <p className="alert-message">{alert.message}</p>
        <p className="alert-meta">
          {showDevice && (
            <>
              <Link to={{ name: 'device', id: alert.deviceId, range: DEFAULT_RANGE }}>
                {alert.deviceName}
              </Link>
              {' · '}
            </>
          )}
          raised <time dateTime={isoOf(alert.raisedAt)}>{formatTime(alert.raisedAt)}</time>
          {' · '}
          {alert.active ? (
            <span className="alert-active">still active</span>
          ) : (
            <span>
              resolved{' '}
              {alert.resolvedAt && (
                <time dateTime={isoOf(alert.resolvedAt)}>{formatTime(alert.resolvedAt)}</time>
              )}
            </span>
          )}
        </p>
      </div>
      <div className="alert-ack">
        {alert.status === 'acknowledged' ? (
          <span className="acknowledged">
            Acknowledged by {who ?? 'someone'}
            {alert.acknowledgedAt && (
              <>
                {' at '}
                <time dateTime={isoOf(alert.acknowledgedAt)}>{formatTime(alert.acknowledgedAt)}</time>
              </>
            )}
          </span>
        ) : onAcknowledge ? (
          <button type="button" disabled={acknowledging} onClick={() => onAcknowledge(alert.id)}>
            {acknowledging ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        ) : (
          <span className="muted">Not acknowledged</span>
        )}
        {error && (
          <span className="alert-error" role="alert">
            {error}
          </span>
        )}
      </div>
    </li>
  );
});
