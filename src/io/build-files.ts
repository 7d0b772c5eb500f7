// A build's output found in the output tree: the tarballs and records a script wrote into
// its own folder (its default --output-dir). `check` names them as a warning, not as
// drift: after a local build they belong there (the folder's .gitignore keeps them out of
// commits); in a fresh clone, as in CI, they mean someone committed them.
import { join } from 'node:path';
import { inspect } from './regular-file.js';

export interface BuildFiles {
  /** The config's folder, relative to the output directory. */
  folder: string;
  /** What is there of what a build writes; a folder ends in `/`. */
  names: string[];
  /** Bytes of the regular files among them. */
  bytes: number;
}

/** For each folder, those of `names` (from the plan) that exist; folders with none are left out. */
export function findBuildFiles(out: string, expected: readonly { folder: string; names: readonly string[] }[]): BuildFiles[] {
  const found: BuildFiles[] = [];
  for (const { folder, names } of expected) {
    const there: string[] = [];
    let bytes = 0;
    for (const name of names) {
      let stat;
      try {
        stat = inspect(join(out, folder, name.replace(/\/$/, '')));
      } catch {
        continue; // unreadable: check reports what it must about the folder itself
      }
      if (stat === undefined) continue;
      there.push(name);
      if (stat.isFile()) bytes += stat.size;
    }
    if (there.length > 0) found.push({ folder, names: there, bytes });
  }
  return found;
}
