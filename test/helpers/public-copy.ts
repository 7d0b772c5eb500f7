// The package as npm would install it (package.json and its `files`), copied where any
// user may read it. Tests that run our code as an unprivileged user (nobody) run this
// copy: the checkout may lie in a folder only its owner can enter (a clone under root's
// home or a `mktemp -d`), so its own modules are out of that user's reach.
import { chmodSync, cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './presets.js';

/** Everyone may read files and enter folders below `dir` (what `chmod -R a+rX` does). */
function openToAll(dir: string): void {
  chmodSync(dir, lstatSync(dir).mode | 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) openToAll(path);
    else if (entry.isFile()) {
      const mode = lstatSync(path).mode;
      chmodSync(path, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

export interface PublicCopy {
  /** The copy's package root: run `${root}/dist/cli/main.js`, import `${root}/dist/src/...`. */
  root: string;
  remove(): void;
}

/** A copy of the built package (run `make build` first) that every user may read. */
export function publicCopy(): PublicCopy {
  const holder = mkdtempSync(join(tmpdir(), 'mkimage-gen-public-'));
  const root = join(holder, 'mkimage-gen');
  const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  for (const entry of ['package.json', ...files]) cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  openToAll(holder);
  return { root, remove: () => rmSync(holder, { recursive: true, force: true }) };
}
