// Render the presets in memory the way `mkimage-gen generate` does.
import { loadSelection } from '../../src/cli/entries.js';
import { renderAll } from '../../src/generate.js';
import type { OutputFile } from '../../src/layout.js';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const GENERATED = `${ROOT}/generated`;

let cached: Promise<OutputFile[]> | undefined;

export function renderPresets(): Promise<OutputFile[]> {
  cached ??= (async () => {
    const { entries, bakeOrigin } = loadSelection({ configs: [], sets: [], cwd: ROOT });
    return renderAll(entries, bakeOrigin);
  })();
  return cached;
}
