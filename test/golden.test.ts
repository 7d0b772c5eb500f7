// Every preset rendered in memory equals generated/ byte for byte.
// UPDATE_GOLDEN=1 (or `make generate`) writes them instead.
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findDrift, writeTree } from '../src/io/tree.js';
import { GENERATED, renderPresets, ROOT } from './helpers/presets.js';

const files = await renderPresets();

if (process.env.UPDATE_GOLDEN === '1') writeTree(GENERATED, files);

describe('golden files', () => {
  it.each(files.map((f) => [f.path, f] as const))('%s matches generated/', (_path, file) => {
    expect(readFileSync(`${GENERATED}/${file.path}`, 'utf8')).toBe(file.content);
    expect(statSync(`${GENERATED}/${file.path}`).mode & 0o777).toBe(file.mode);
  });

  it('generated/ holds no file the presets no longer render', () => {
    expect(findDrift(GENERATED, files).orphaned).toEqual([]);
  });

  it('renders the same bytes twice', async () => {
    const { loadSelection } = await import('../src/cli/entries.js');
    const { renderAll } = await import('../src/generate.js');
    const { entries, bakeOrigin } = loadSelection({ configs: [], sets: [], cwd: ROOT });
    expect(await renderAll(entries, bakeOrigin)).toEqual(files);
  });
});
