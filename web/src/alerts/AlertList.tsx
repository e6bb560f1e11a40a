import { useAcknowledgeAlert } from '../api/alert-hooks.ts';
import type { Alert } from '../api/types.ts';
import { useSignedInUser } from '../app/signed-in-user.tsx';
import { AlertRow } from './AlertRow.tsx';

/** A list of alerts; operators acknowledge from here, and see the result in the row. */
export function AlertList({ alerts, showDevice = true }: { alerts: readonly Alert[]; showDevice?: boolean }) {
  const user = useSignedInUser();
  const acknowledge = useAcknowledgeAlert();
  const pendingId = acknowledge.isPending ? acknowledge.variables : undefined;
  const failedId = acknowledge.isError ? acknowledge.variables : undefined;
  return (
    <ul className="alert-list">
      {alerts.map((alert) => (
        <AlertRow
          key={alert.id}
          alert={alert}
          currentUser={user}
          showDevice={showDevice}
          onAcknowledge={user.isOperator ? acknowledge.mutate : undefined}
          acknowledging={pendingId === alert.id}
          error={failedId === alert.id ? `Could not acknowledge: ${acknowledge.error?.message}` : undefined}
        />
      ))}
    </ul>
  );
}
