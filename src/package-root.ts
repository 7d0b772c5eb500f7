// Where mkimage-gen's own package lies: the folder of its package.json, found from here
// upward. The same code runs from src/ (tests), dist/src/ (tsc) and dist/cli/ (the
// bundle), so templates, preset files and the version are all found from this one place.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOwnFile } from './io/regular-file.js';

interface PackageJson {
  name?: string;
  version?: string;
}

function findPackage(): { root: string; json: PackageJson } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readOwnFile(file, 1024 * 1024).toString('utf8')) as PackageJson;
    if (json.name === 'mkimage-gen') return { root: dir, json };
  }
  throw new Error(`mkimage-gen's package.json is not above ${here}`);
}

const found = findPackage();
export const PACKAGE_ROOT = found.root;
export const VERSION = found.json.version ?? '0.0.0';
