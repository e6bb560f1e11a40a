import { useMutation, useQuery } from '@tanstack/react-query';
import { request } from './http.ts';
import { queryKeys } from './query-keys.ts';
import type { Command, CommandType } from './types.ts';

const COMMAND_POLL_MS = 2_000;

/** Sends a command (202 with the command, `pending`). Not retried: a reboot must not happen twice. */
export function useSendCommand(deviceId: string) {
  return useMutation({
    mutationFn: (type: CommandType) =>
      request<Command>(`/api/devices/${encodeURIComponent(deviceId)}/commands`, {
        method: 'POST',
        body: { type },
      }),
  });
}

/** A command's progress, polled every 2 s until it is no longer `pending`. */
export function useCommand(deviceId: string, commandId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.devices.commands(deviceId),
    queryFn: async ({ signal }) => {
      const path = `/api/devices/${encodeURIComponent(deviceId)}/commands`;
      return (await request<{ items: Command[] }>(path, { signal })).items;
    },
    select: (items) => items.find((c) => c.id === commandId),
    enabled: commandId !== undefined,
    refetchInterval: (query) =>
      query.state.data?.find((c) => c.id === commandId)?.status === 'pending' ? COMMAND_POLL_MS : false,
    meta: { label: 'command status' },
  });
}
