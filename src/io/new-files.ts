// Files written only where nothing is yet (init): all of them or none, each inside the
// project root, never through a symbolic link. Everything in the way is found before the
// first write; a write that fails takes back what was written before it. The whole write
// is one synchronous step, so an interrupt waits until it is done (see signals.ts).
import { closeSync, constants, mkdirSync, openSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describePath } from '../model/describe.js';
import { ConfigError } from '../model/errors.js';
import { OutputError } from './output-error.js';
import { inspect, kindOf } from './regular-file.js';

export interface NewFile {
  /** Relative to the root, with forward slashes: plain names only (made by init, never by a user). */
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

const isPlain = (path: string) => path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');

/** What stands in the way of writing `path` under `root`, or undefined. */
function obstacle(root: string, shownRoot: string, path: string): string | undefined {
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const rel = parts.slice(0, i + 1).join('/');
    const stat = inspect(join(root, rel));
    if (stat === undefined) return undefined;
    const shown = describePath(join(shownRoot, rel));
    if (stat.isSymbolicLink()) return `${shown} is a symbolic link: init writes only inside the project, never through a link; remove it or choose another --dir`;
    if (i === parts.length - 1) return `${shown} exists already (a ${kindOf(stat)}); init writes only new files`;
    if (!stat.isDirectory()) return `${shown} is a ${kindOf(stat)}, not a folder: init would write ${describePath(join(shownRoot, path))} below it`;
  }
  return undefined;
}

/** Write each file under `root`; if anything is in the way, write none and say what (bad input, exit 2). */
export function writeNewFiles(root: string, shownRoot: string, files: readonly NewFile[]): void {
  for (const file of files) if (!isPlain(file.path)) throw new Error(`init: ${file.path} is not a plain relative path`);
  const rootStat = inspect(root, true);
  if (rootStat !== undefined && !rootStat.isDirectory()) {
    throw new ConfigError('init', [`${describePath(shownRoot)} is a ${kindOf(rootStat)}, not a folder: name the project's folder with --dir`]);
  }
  const problems = [...new Set(files.map((f) => obstacle(root, shownRoot, f.path)).filter((p): p is string => p !== undefined))];
  if (problems.length > 0) throw new ConfigError('init', problems);

  const made: { path: string; folder: boolean }[] = [];
  let at = root;
  try {
    if (rootStat === undefined) {
      // The folder the user named, with its missing parents: taken back too on an error.
      const first = mkdirSync(root, { recursive: true });
      for (let dir = root; first !== undefined; dir = dirname(dir)) {
        made.unshift({ path: dir, folder: true });
        if (dir === first || dirname(dir) === dir) break;
      }
    }
    for (const file of files) {
      const parts = file.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        at = join(root, ...parts.slice(0, i));
        if (inspect(at)?.isDirectory()) continue;
        // Not there a moment ago: make it, and fail (EEXIST) rather than use what appeared.
        mkdirSync(at);
        made.push({ path: at, folder: true });
      }
      at = join(root, file.path);
      // O_EXCL and O_NOFOLLOW: a file or link that appeared since the check is never written through.
      const fd = openSync(at, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, file.mode ?? 0o644);
      made.push({ path: at, folder: false });
      try {
        const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      } finally {
        closeSync(fd);
      }
    }
  } catch (error) {
    for (const { path, folder } of made.reverse()) {
      try {
        if (folder) rmdirSync(path);
        else unlinkSync(path);
      } catch {
        // Taken back as far as it goes; the error below says what failed.
      }
    }
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new OutputError(`cannot write ${describePath(at)}: ${code === 'EACCES' ? 'permission denied' : code}; nothing was written`, code === 'EEXIST' || code === 'ELOOP' ? 2 : 1);
  }
}
