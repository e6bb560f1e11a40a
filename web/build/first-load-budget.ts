import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

// Prints, on every build, the gzip size of the JavaScript a first visit loads: the entry chunk and
// everything it imports statically, transitively. Lazy chunks (dynamic imports) are left out: they
// load when a route needs them. Fails the build above the budget.

export interface ChunkLike {
  type: 'chunk' | 'asset';
  fileName: string;
  isEntry?: boolean;
  imports?: readonly string[];
  code?: string;
}

export interface FirstLoadSize {
  files: string[];
  gzipBytes: number;
}

/** The entry chunks and their static imports, each counted once, with their total gzip size. */
export function firstLoadJs(bundle: Readonly<Record<string, ChunkLike>>): FirstLoadSize {
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    const chunk = bundle[fileName];
    if (chunk?.type !== 'chunk' || seen.has(fileName)) return;
    seen.add(fileName);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const chunk of Object.values(bundle))
    if (chunk.type === 'chunk' && chunk.isEntry) visit(chunk.fileName);
  const files = [...seen].sort();
  const gzipBytes = files.reduce((sum, fileName) => sum + gzipSync(bundle[fileName]?.code ?? '').length, 0);
  return { files, gzipBytes };
}

// Decimal kilobytes at zlib's default level, as Vite's own size report counts them.
export const KB = 1000;
export const formatKb = (bytes: number): string => `${(bytes / KB).toFixed(1)} KB`;

export function firstLoadBudget(options: { budgetKb: number }): Plugin {
  return {
    name: 'first-load-budget',
    apply: 'build',
    // After every plugin has had its say on the code (preload helpers, minification), as written to disk.
    writeBundle(_output, bundle) {
      const { files, gzipBytes } = firstLoadJs(bundle as unknown as Record<string, ChunkLike>);
      const line = `first-load JS: ${formatKb(gzipBytes)} gzip (budget ${options.budgetKb} KB)`;
      const over = gzipBytes > options.budgetKb * KB;
      // Printed as is (not through Vite's logger) so it shows even with --logLevel warn.
      console.log(`${line}${over ? ' — OVER BUDGET' : ''}  [${files.join(', ')}]`);
      if (over) this.error(`${line}: over budget`);
    },
  };
}
