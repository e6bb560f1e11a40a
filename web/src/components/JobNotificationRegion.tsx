import { useId, useSyncExternalStore } from 'react';
import type { ShownNotification } from '../app/job-notifications.ts';
import { useNotificationStore } from '../app/live-updates.tsx';
import { formatTime, isoOf } from '../format/time.ts';
import { jobTypeLabel } from '../jobs/job-labels.ts';
import { Link } from '../router/router.tsx';
import { jobRoute } from '../router/routes.ts';

/**
 * News about the user's own jobs, on every page: a polite live region that is always in the page
 * (so screen readers announce what is added), each entry with a link to the job and a Dismiss button.
 */
export function JobNotificationRegion() {
  const store = useNotificationStore();
  const items = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return (
    <div
      className="notifications"
      role="status"
      aria-live="polite"
      aria-atomic="false"
      aria-label="Job notifications"
      onMouseEnter={() => store.hold(true)}
      onMouseLeave={() => store.hold(false)}
      onFocus={() => store.hold(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) store.hold(false);
      }}
    >
      {items.map((item) => (
        <JobNotificationToast key={item.id} item={item} onDismiss={() => store.dismiss(item.id)} />
      ))}
    </div>
  );
}

function JobNotificationToast({ item, onDismiss }: { item: ShownNotification; onDismiss: () => void }) {
  const id = useId();
  return (
    <div className={`toast toast-${item.kind}`} data-testid="job-notification">
      <p id={id}>
        <strong>{`${jobTypeLabel(item.jobType)} ${item.kind}`}</strong>
        {item.message && ` — ${item.message}`}{' '}
        <time className="toast-time" dateTime={isoOf(item.at)}>
          {formatTime(item.at)}
        </time>
      </p>
      <div className="toast-actions">
        <Link to={jobRoute(item.jobId)}>Open job</Link>
        <button type="button" aria-describedby={id} onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
