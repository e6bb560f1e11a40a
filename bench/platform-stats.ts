import type { AuthServerStats } from '../platform/auth/stats.ts';

/** The authorization server's counters (`GET /dev/stats`, on in the platform's demo mode). */
export async function platformStats(issuer: string): Promise<AuthServerStats> {
  const response = await fetch(`${issuer}/dev/stats`);
  if (!response.ok) throw new Error(`GET /dev/stats answered ${response.status}`);
  return (await response.json()) as AuthServerStats;
}

export async function resetPlatformStats(issuer: string): Promise<void> {
  const response = await fetch(`${issuer}/dev/stats`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`DELETE /dev/stats answered ${response.status}`);
  await response.body?.cancel();
}
