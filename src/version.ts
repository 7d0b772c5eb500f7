// mkimage-gen's own version, from its package.json (found from here upward: the same
// code runs from src/ in tests and from dist/src/ when built).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageJson(): { name?: string; version?: string } {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (json.name === 'mkimage-gen') return json;
  }
  return {};
}

export const VERSION = packageJson().version ?? '0.0.0';
