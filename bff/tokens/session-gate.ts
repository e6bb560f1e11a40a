import type { Context } from 'hono';
import type { AuditLog } from '../audit.ts';
import type { EndedSessions } from '../coordination/ended-sessions.ts';
import { BffError } from '../errors.ts';
import type { SessionCookieCodec, SessionData } from '../session/index.ts';

export type LoadedSession = { status: 'ok'; session: SessionData } | { status: 'none' } | { status: 'ended' };

/**
 * Reads the session cookie and checks that the session was not ended elsewhere (logout on another
 * tab or instance, back-channel logout). An ended session's cookie is cleared on the spot.
 */
export type SessionLoader = (c: Context) => Promise<LoadedSession>;

export function createSessionLoader(deps: {
  sessions: SessionCookieCodec;
  ended: EndedSessions;
  audit: AuditLog;
}): SessionLoader {
  return async (c) => {
    const session = await deps.sessions.read(c);
    if (!session) return { status: 'none' };
    if (session.sessionExpiresAt !== undefined && session.sessionExpiresAt <= Date.now()) {
      deps.sessions.clear(c);
      if (await deps.ended.endSessionOnce(session.bffSessionId)) {
        deps.audit.record('session_ended', {
          bffSessionId: session.bffSessionId,
          sub: session.sub,
          reason: 'refresh_token_lifetime_ended',
          lifetimeSeconds: Math.round((session.sessionExpiresAt - session.startedAt) / 1000),
        });
      }
      return { status: 'ended' };
    }
    if (await deps.ended.isEnded(session)) {
      deps.sessions.clear(c);
      deps.audit.record('session_ended', {
        bffSessionId: session.bffSessionId,
        sub: session.sub,
        reason: 'ended_elsewhere',
      });
      return { status: 'ended' };
    }
    return { status: 'ok', session };
  };
}

/** The session, or the BffError a route answers with: 401 `unauthenticated` or `session_expired`. */
export function requireSession(loaded: LoadedSession): SessionData {
  if (loaded.status === 'ok') return loaded.session;
  if (loaded.status === 'none') throw new BffError('unauthenticated', 401, 'Not signed in');
  throw new BffError('session_expired', 401, 'The session has ended; sign in again');
}
