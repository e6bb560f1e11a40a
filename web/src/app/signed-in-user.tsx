import { createContext, type ReactNode, useContext } from 'react';
import type { SessionInfo } from '../api/types.ts';

// The signed-in user as the screens need it: name, role and what the role allows. Only what
// `/bff/session` says and the header shows; kept in memory, never in browser storage.

export interface SignedInUser {
  sub: string;
  name: string;
  /** The role shown in the header: `operator`, `viewer`, or the first role the provider gave. */
  role: string;
  /** Operators may send device commands and acknowledge alerts. */
  isOperator: boolean;
  sessionEndsAt: string | null;
}

export function userFromSession(info: SessionInfo): SignedInUser {
  const roles = info.user.roles;
  const isOperator = roles.includes('operator');
  return {
    sub: info.user.sub,
    name: info.user.name,
    role: isOperator ? 'operator' : roles.includes('viewer') ? 'viewer' : (roles[0] ?? 'no role'),
    isOperator,
    sessionEndsAt: info.session.expiresAt,
  };
}

const SignedInUserContext = createContext<SignedInUser | null>(null);

export function SignedInUserProvider({ user, children }: { user: SignedInUser; children: ReactNode }) {
  return <SignedInUserContext.Provider value={user}>{children}</SignedInUserContext.Provider>;
}

export function useSignedInUser(): SignedInUser {
  const user = useContext(SignedInUserContext);
  if (!user) throw new Error('useSignedInUser: only inside the signed-in part of the app');
  return user;
}
