import { get, keepAliveAgent } from './load.ts';
import type { JobReport } from './report.ts';
import type { ServerProcess } from './server-process.ts';
import { pool, signIn } from './sign-in.ts';

/**
 * "No server memory per idle session", checked two ways, since heap deltas in the servers process
 * would mostly show the authorization server's own session store:
 * 1. the BFF's coordination store (its only shared server-side state) gains no entry per sign-in;
 * 2. a second BFF that never saw these sign-ins (own empty store, empty unseal cache, same cookie
 *    secrets) serves every one of the sessions: nothing needed lived on the first server.
 */
export async function idleSessions(
  servers: ServerProcess,
  o: { sessions: number; parallel: number; path: string },
): Promise<JobReport> {
  const { appUrl, freshBffUrl } = servers.ready;
  const before = await servers.stats();
  const signedIn = await pool(o.sessions, o.parallel, () => signIn(appUrl));
  const agent = keepAliveAgent(o.parallel);
  const use = async (baseUrl: string) => {
    const answers = await pool(o.sessions, o.parallel, async (i) => {
      const headers = { accept: 'application/json', cookie: signedIn[i]?.cookieHeader ?? '', 'x-csrf': '1' };
      return (await get(agent, new URL(`/api${o.path}`, baseUrl), headers)).status;
    });
    return answers.filter((status) => status === 200).length;
  };
  // Each session used once where it was made, then left idle.
  const servedHere = await use(appUrl);
  const after = await servers.stats();
  const servedFresh = await use(freshBffUrl);
  const afterFresh = await servers.stats();
  agent.destroy();

  const added = after.storeEntries - before.storeEntries;
  const freshAdded = afterFresh.freshStoreEntries - before.freshStoreEntries;
  return {
    title: `6. server state per idle session: ${o.sessions} sign-ins, each used once, then idle`,
    table: {
      head: ['measure', 'value'],
      rows: [
        ['coordination store entries before', before.storeEntries],
        ['coordination store entries after', after.storeEntries],
        ['entries per session', (added / o.sessions).toFixed(2)],
        ['sessions served by the BFF that signed them in', `${servedHere}/${o.sessions}`],
        ['sessions served by a fresh BFF (empty store)', `${servedFresh}/${o.sessions}`],
        ['fresh BFF store entries after serving them', afterFresh.freshStoreEntries],
      ],
    },
    notes: [
      'counted with MemoryCoordinationStore.size (the store is handed to the BFF by bench/servers.ts)',
      'heap not compared: the platform shares the process and keeps its own per-sign-in state',
      "the cookie codec's unseal cache (bounded LRU, 1000 by default) is a cache: " +
        'the fresh BFF shows it is not needed',
    ],
    budgets: [
      {
        name: 'server memory per idle session',
        pass: added === 0 && freshAdded === 0 && servedHere === o.sessions && servedFresh === o.sessions,
        detail:
          `${added} store entries for ${o.sessions} sessions (budget none); ` +
          `a BFF with no state served ${servedFresh}/${o.sessions}`,
      },
    ],
  };
}
