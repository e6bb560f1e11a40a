// Creates an empty PGlite database in the folder given as the first argument, then exits.
// Run as a child process by database.ts: creating a database (initdb) makes PGlite grow its
// WebAssembly memory to about 700 MB, which it never gives back, and keeps the event loop busy for
// seconds. Done here, that memory goes with this process; the server then opens the finished
// folder in about half a second. Plain JavaScript so that it runs without a TypeScript loader.
import { PGlite } from '@electric-sql/pglite';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: create-pglite.mjs <folder>');
  process.exit(2);
}
const db = await PGlite.create(folder);
await db.close();
