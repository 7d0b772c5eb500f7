// Files written only where nothing is yet (init): all of them, or none.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../model/errors.js';

/** Write each file under `root`; if any exists already, write none and say which (bad input). */
export function writeNewFiles(root: string, shownRoot: string, files: readonly { path: string; content: string }[]): void {
  const taken = files.filter((f) => existsSync(join(root, f.path))).map((f) => join(shownRoot, f.path));
  if (taken.length > 0) throw new ConfigError('init', taken.map((p) => `${p} exists already; init writes only new files`));
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.content, { flag: 'wx' });
  }
}
