import { createContext, useContext } from 'react';

// Whether the live event stream (`/bff/events`) is connected. Job queries poll quickly while it is
// not, so progress still moves; the provider is mounted once per signed-in app (live-updates.tsx).

export type JobStreamState = 'connecting' | 'live' | 'down' | 'stopped';

export const JobStreamStateContext = createContext<JobStreamState>('connecting');

export const useJobStreamLive = (): boolean => useContext(JobStreamStateContext) === 'live';
