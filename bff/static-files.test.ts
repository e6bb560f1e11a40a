import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticFiles } from './static-files.ts';

let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'iot-web-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(() => rm(dist, { recursive: true, force: true }));

const html = { accept: 'text/html,application/xhtml+xml' };

describe('serving the built SPA', () => {
  it('caches hashed assets for a year and index.html never', async () => {
    const app = staticFiles(dist);
    const asset = await app.request('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const index = await app.request('/', { headers: html });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
  });

  it('falls back to index.html for client routes, but not for missing assets or API-like requests', async () => {
    const app = staticFiles(dist);
    const route = await app.request('/devices/dev-0001?range=6h', { headers: html });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>app</title>');
    expect((await app.request('/assets/missing.js', { headers: html })).status).toBe(404);
    expect((await app.request('/devices', { headers: { accept: 'application/json' } })).status).toBe(404);
  });

  it('says how to build the SPA when it is missing', async () => {
    const response = await staticFiles(join(dist, 'nope')).request('/', { headers: html });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
  });
});
