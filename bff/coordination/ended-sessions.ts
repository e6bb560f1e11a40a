import type { CoordinationStore } from './coordination-store.ts';
import { coordinationKeys as keys } from './keys.ts';

/** The parts of a session that decide whether it was ended elsewhere. */
export interface SessionIdentity {
  bffSessionId: string;
  sub: string;
  sid?: string | undefined;
  startedAt: number;
}

/**
 * Sessions live in cookies, so "ending" one means remembering that it ended until its tokens would
 * have expired: a copied cookie then stops working on every instance. Ended by our logout (one BFF
 * session), by back-channel logout for an IdP session (`sid`), or for a user (`sub`: every session
 * of that user started before then).
 */
export class EndedSessions {
  readonly #store: CoordinationStore;
  readonly #rememberMs: number;

  constructor(store: CoordinationStore, rememberForSeconds: number) {
    this.#store = store;
    this.#rememberMs = rememberForSeconds * 1000;
  }

  endSession(bffSessionId: string): Promise<void> {
    return this.#store.set(keys.endedBffSession(bffSessionId), String(Date.now()), this.#rememberMs);
  }

  /** Like endSession, but true only for the first caller: parallel requests report an end once. */
  endSessionOnce(bffSessionId: string): Promise<boolean> {
    return this.#store.setIfAbsent(keys.endedBffSession(bffSessionId), String(Date.now()), this.#rememberMs);
  }

  endIdpSession(sid: string): Promise<void> {
    return this.#store.set(keys.endedIdpSession(sid), String(Date.now()), this.#rememberMs);
  }

  endUser(sub: string): Promise<void> {
    return this.#store.set(keys.endedUser(sub), String(Date.now()), this.#rememberMs);
  }

  async isEnded(session: SessionIdentity): Promise<boolean> {
    // One round trip: this runs on every request.
    const [byBff, bySid, bySub] = await this.#store.getMany([
      keys.endedBffSession(session.bffSessionId),
      keys.endedIdpSession(session.sid ?? ''),
      keys.endedUser(session.sub),
    ]);
    return (
      byBff !== undefined ||
      (session.sid !== undefined && bySid !== undefined) ||
      (bySub !== undefined && session.startedAt <= Number(bySub))
    );
  }
}
