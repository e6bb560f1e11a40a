import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { chromiumLaunchOptions } from '../e2e/instances.ts';
import type { ChartRenderTiming } from './chart-render-page/main.tsx';

/**
 * `npx tsx bench/chart-render.ts`: the first render of a 100,000-point telemetry chart through the
 * app's own chart component (web/src/charts/TimeSeriesChart.tsx) in Debian's Chromium, against the
 * budget of DESIGN.md section 7 (≤ 50 ms). Each sample is a fresh page load, so every render is a
 * first one (cold code, new canvas). Exits 1 when the median is over budget, 2 when the bench breaks.
 */

const POINTS = 100_000;
const SAMPLES = 7;
const BUDGET_MS = 50;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const pageRoot = fileURLToPath(new URL('./chart-render-page/', import.meta.url));

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** A static file server for the built page, on loopback only. */
function serve(root: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://bench.invalid').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !(await stat(file).catch(() => null))?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const outDir = await mkdtemp(join(tmpdir(), 'chart-render-'));
let server: Server | undefined;
let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
let exitCode = 2;
try {
  await build({
    configFile: false,
    root: pageRoot,
    logLevel: 'warn',
    mode: 'production',
    plugins: [react()],
    build: { outDir, emptyOutDir: true },
  });
  server = await serve(outDir);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch(chromiumLaunchOptions);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });

  const samples: ChartRenderTiming[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    samples.push(await page.evaluate((count) => window.runChartBench(count), POINTS));
    const pixels = await page.evaluate(() => {
      const canvas = document.querySelector('figure canvas') as HTMLCanvasElement | null;
      const data = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      let painted = 0;
      for (let p = 3; p < data.length; p += 4) if ((data[p] ?? 0) > 0) painted++;
      return painted;
    });
    if (pixels < 2_000) throw new Error(`the chart drew only ${pixels} pixels: nothing was rendered`);
    await page.close();
  }

  const drawn = median(samples.map((s) => s.drawnMs));
  const painted = median(samples.map((s) => s.paintedMs));
  const pass = painted <= BUDGET_MS;
  console.log(
    `chart render, ${POINTS.toLocaleString('en')} points, ${SAMPLES} fresh page loads in Chromium ${browser.version()}`,
  );
  console.log(`  mount → canvas drawn:    ${samples.map((s) => s.drawnMs.toFixed(1)).join(', ')} ms`);
  console.log(`  mount → frame painted:   ${samples.map((s) => s.paintedMs.toFixed(1)).join(', ')} ms`);
  console.log(
    `chart first render: median ${painted.toFixed(1)} ms to first paint (${drawn.toFixed(1)} ms to drawn), ` +
      `budget ${BUDGET_MS} ms: ${pass ? 'PASS' : 'FAIL'}`,
  );
  exitCode = pass ? 0 : 1;
} catch (error) {
  console.error('chart-render bench failed:', error);
  exitCode = 2;
} finally {
  await browser?.close().catch(() => {});
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await rm(outDir, { recursive: true, force: true });
}
process.exit(exitCode);
