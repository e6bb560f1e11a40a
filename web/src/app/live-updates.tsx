import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { createJobCacheUpdater } from '../api/job-cache.ts';
import { connectJobEvents } from '../api/job-events.ts';
import { type JobStreamState, JobStreamStateContext } from '../api/job-stream-state.ts';
import { queryKeys } from '../api/query-keys.ts';
import { createNotificationStore, type NotificationStore } from './job-notifications.ts';

// The signed-in app's one connection to `/bff/events`: job events go into the query cache,
// notifications into the store the notification region shows, and the connection state to the
// job queries (which poll while it is down).

const NotificationStoreContext = createContext<NotificationStore | null>(null);

export function useNotificationStore(): NotificationStore {
  const store = useContext(NotificationStoreContext);
  if (!store) throw new Error('useNotificationStore: only inside <LiveUpdates>');
  return store;
}

export function LiveUpdates({
  children,
  connect = connectJobEvents,
}: {
  children: ReactNode;
  /** The connection; tests pass a fake. */
  connect?: typeof connectJobEvents;
}) {
  const queryClient = useQueryClient();
  const [notifications] = useState(() => createNotificationStore());
  const [state, setState] = useState<JobStreamState>('connecting');

  useEffect(() => {
    const updater = createJobCacheUpdater(queryClient);
    const connection = connect({
      onJob: updater.onJob,
      onNotification: notifications.add,
      onState(next) {
        setState(next);
        // Whatever happened before the stream was (back) up was not heard: fetch the job data again.
        if (next === 'live') updater.refreshAll();
      },
      onUnauthorized() {
        // The session query finds out what the 401 means and the session logic acts on it.
        void queryClient.invalidateQueries({ queryKey: queryKeys.session() });
      },
    });
    return () => {
      connection.close();
      updater.dispose();
      notifications.dispose();
    };
  }, [queryClient, notifications, connect]);

  return (
    <NotificationStoreContext.Provider value={notifications}>
      <JobStreamStateContext.Provider value={state}>{children}</JobStreamStateContext.Provider>
    </NotificationStoreContext.Provider>
  );
}
