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

export type IdpFault = { mode: 'ok' | 'down' | 'reset' } | { mode: 'slow'; delayMs: number };

/** Flips the authorization server's fault switch (`POST /dev/faults`; covers its token endpoint). */
export async function setIdpFault(issuer: string, fault: IdpFault): Promise<void> {
  if (new URL(issuer).hostname !== '127.0.0.1') throw new Error(`refusing non-loopback issuer ${issuer}`);
  const response = await fetch(`${issuer}/dev/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`POST /dev/faults answered ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
}

/** The authorization server's discovery document (what it says it supports). */
export async function discovery(issuer: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
