import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { isApiError } from '../api/api-error.ts';
import { useCommand, useSendCommand } from '../api/command-hooks.ts';
import { queryKeys } from '../api/query-keys.ts';
import type { Command, CommandType, DeviceDetails } from '../api/types.ts';
import { useSignedInUser } from '../app/signed-in-user.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { formatTimeWithSeconds } from '../format/time.ts';

const COMMANDS: { type: CommandType; label: string; explain: string }[] = [
  { type: 'reboot', label: 'Reboot', explain: 'The device restarts; this takes about 30 seconds.' },
  {
    type: 'recalibrate',
    label: 'Recalibrate',
    explain: 'The device recalibrates its sensors; this takes about 10 seconds.',
  },
];

/** Why a command was refused, in words, from the API's stable codes. */
export function commandRefusal(error: unknown): string {
  if (!isApiError(error)) return 'it could not be sent';
  switch (error.code) {
    case 'device_offline':
      return 'the device is offline';
    case 'command_in_progress':
      return 'another command is still running on this device';
    case 'insufficient_scope':
      return 'your role may not send commands';
    default:
      return error.message;
  }
}

function describeCommand(command: Command): string {
  if (command.status === 'failed') {
    return command.failureReason === 'device_offline' ? ' (the device went offline)' : '';
  }
  if (command.status === 'completed' && command.completedAt) {
    return ` at ${formatTimeWithSeconds(command.completedAt)}`;
  }
  return '';
}

/** Reboot and recalibrate for operators: confirm first, then follow the command until it is done. */
export function CommandsPanel({ device }: { device: DeviceDetails }) {
  const user = useSignedInUser();
  if (!user.isOperator) {
    return <p className="muted">Sending commands needs the operator role.</p>;
  }
  return <OperatorCommands device={device} />;
}

function OperatorCommands({ device }: { device: DeviceDetails }) {
  const [confirming, setConfirming] = useState<CommandType | null>(null);
  const [commandId, setCommandId] = useState<string | undefined>(undefined);
  const send = useSendCommand(device.id);
  const tracked = useCommand(device.id, commandId);
  const queryClient = useQueryClient();
  const command = tracked.data ?? send.data;
  const done = command !== undefined && command.status !== 'pending';

  useEffect(() => {
    // The device's own list of recent commands catches up once this one has finished.
    if (done)
      void queryClient.invalidateQueries({ queryKey: queryKeys.devices.detail(device.id), exact: true });
  }, [done, device.id, queryClient]);

  const confirm = () => {
    const type = confirming;
    setConfirming(null);
    if (!type) return;
    setCommandId(undefined);
    send.mutate(type, { onSuccess: (sent) => setCommandId(sent.id) });
  };

  const type = send.variables;
  let status = '';
  if (type && send.isPending) status = `Command ${type}: sending…`;
  else if (type && send.isError) status = `Command ${type}: failed — ${commandRefusal(send.error)}`;
  else if (command) status = `Command ${command.type}: ${command.status}${describeCommand(command)}`;

  const busy = send.isPending || command?.status === 'pending';
  const current = COMMANDS.find((c) => c.type === confirming);
  return (
    <div className="commands">
      <div className="command-buttons">
        {COMMANDS.map((c) => (
          <button key={c.type} type="button" disabled={busy} onClick={() => setConfirming(c.type)}>
            {c.label}
          </button>
        ))}
      </div>
      <p role="status" className={`command-status ${done || send.isError ? 'is-final' : ''}`}>
        {status}
      </p>
      <ConfirmDialog
        open={current !== undefined}
        title={current ? `${current.label} this device?` : ''}
        description={current ? `${device.name} (${device.id}): ${current.explain}` : ''}
        onConfirm={confirm}
        onCancel={() => setConfirming(null)}
      />
    </div>
  );
}
