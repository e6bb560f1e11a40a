import { useSignOut } from '../api/session-hooks.ts';
import { useSignedInUser } from '../app/signed-in-user.tsx';
import { formatTime, isoOf } from '../format/time.ts';

/** Who is signed in, with which role, until when; and the way out. */
export function SessionIndicator() {
  const user = useSignedInUser();
  const signOut = useSignOut();
  return (
    <div className="session-indicator">
      <span className="session-user">{`Signed in as ${user.name}`}</span>
      <span className="role-badge" title="Your role">
        {user.role}
      </span>
      {user.sessionEndsAt && (
        <span className="session-ends">
          Session ends <time dateTime={isoOf(user.sessionEndsAt)}>{formatTime(user.sessionEndsAt)}</time>
        </span>
      )}
      <button
        type="button"
        className="button-quiet"
        onClick={() => signOut.mutate()}
        disabled={signOut.isPending || signOut.isSuccess}
      >
        Sign out
      </button>
      {signOut.isError && (
        <span className="session-error" role="alert">
          Sign-out failed: {signOut.error.message}
        </span>
      )}
    </div>
  );
}
