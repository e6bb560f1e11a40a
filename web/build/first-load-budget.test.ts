import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ChunkLike, firstLoadJs } from './first-load-budget.ts';

const chunk = (fileName: string, code: string, extra: Partial<ChunkLike> = {}): ChunkLike => ({
  type: 'chunk',
  fileName,
  code,
  imports: [],
  ...extra,
});

describe('firstLoadJs', () => {
  it('counts the entry and its static imports, each once, and not lazy chunks or assets', () => {
    const vendor = 'export const react = "react";'.repeat(50);
    const bundle: Record<string, ChunkLike> = {
      'index.js': chunk('index.js', 'import "./vendor.js"; import("./device.js");', {
        isEntry: true,
        imports: ['vendor.js', 'shared.js'],
      }),
      'vendor.js': chunk('vendor.js', vendor, { imports: ['shared.js'] }),
      'shared.js': chunk('shared.js', 'export const x = 1;'),
      'device.js': chunk('device.js', 'uplot'.repeat(10_000), { imports: ['vendor.js'] }),
      'index.css': { type: 'asset', fileName: 'index.css' },
    };
    const result = firstLoadJs(bundle);
    expect(result.files).toEqual(['index.js', 'shared.js', 'vendor.js']);
    const expected = ['index.js', 'vendor.js', 'shared.js'].reduce(
      (sum, name) => sum + gzipSync(bundle[name]?.code ?? '').length,
      0,
    );
    expect(result.gzipBytes).toBe(expected);
  });
});
