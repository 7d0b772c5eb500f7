// Is --out a folder we may write generated files into? Checked before any config is
// read: an unset variable (`--out "$IMAGES"` -> ''), a slip (`--out ~` unexpanded,
// `--out "$IMAGES/"` -> '/') or a folder that holds the user's work must never become
// the place where generate writes and removes files.
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ConfigError } from '../model/errors.js';
import { describePath } from '../model/describe.js';
import { inspect, kindOf } from './regular-file.js';

/** Folders of the system itself, and the ones no tool of ours writes below. */
const SYSTEM_FOLDERS = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/sbin',
  '/usr/share',
  '/var',
  '/var/lib',
  '/var/tmp',
];
const SYSTEM_TREES = ['/proc', '/sys', '/dev', '/boot', '/etc', '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/share'];

export interface Places {
  cwd: string;
  home: string;
}

/** The real path of `path`: links resolved in the part that exists, the rest appended. */
function realPath(path: string): string {
  const missing: string[] = [];
  let at = path;
  for (;;) {
    try {
      return join(realpathSync(at), ...missing.reverse());
    } catch {
      if (dirname(at) === at) return path;
      missing.push(basename(at));
      at = dirname(at);
    }
  }
}

const within = (path: string, folder: string) => path === folder || path.startsWith(folder === sep ? sep : folder + sep);

/** Where the output directory was named, for the message: --out, or the project file's `out`. */
export interface OutSetting {
  /** What the error names as its source: `--out`, or the project file as shown. */
  source: string;
  /** The field within the source, if any (`out`). */
  field?: string;
  /** A good value, as the user would write it there. */
  example: string;
}
export const OUT_FLAG: OutSetting = { source: '--out', example: '--out images' };

/** Why `out` is no place for an output tree, or undefined where it is fine. */
export function outDirProblem(
  out: string,
  places: Places = { cwd: process.cwd(), home: homedir() },
  example = OUT_FLAG.example,
): string | undefined {
  if (out.trim() === '') return `the output directory is empty (an unset variable?): name a folder, e.g. ${example}`;
  if (/[\x00-\x1f\x7f-\x9f]/.test(out)) return `${describePath(out)} holds control characters: name a plain folder, e.g. ${example}`;
  if (out.startsWith('~'))
    return `${describePath(out)} starts with "~", which the shell did not expand: write $HOME/... or a relative path`;
  const absolute = resolve(places.cwd, out);
  const real = realPath(absolute);
  const shown = real === absolute ? describePath(out) : `${describePath(out)} (${describePath(real)})`;
  if (real === sep) return `${shown} is the root directory: name a folder for the generated files, e.g. ${example}`;
  const home = realPath(places.home);
  if (within(home, real)) {
    return `${shown} is ${real === home ? 'your home directory' : 'a folder that holds your home directory'}: name a folder for the generated files, e.g. ${example}`;
  }
  if (SYSTEM_FOLDERS.includes(real) || SYSTEM_TREES.some((tree) => within(real, tree))) {
    return `${shown} is a system folder: name a folder for the generated files, e.g. ${example}`;
  }
  const cwd = realPath(places.cwd);
  if (real !== cwd && within(cwd, real)) {
    return `${shown} holds the current directory: generated folders would land beside your own; name a folder for them, e.g. ${example}`;
  }
  if (inspect(join(real, '.git')) !== undefined) {
    return `${shown} is the top of a git work tree: name a folder inside it for the generated files, e.g. ${example}`;
  }
  // The folder itself, or the nearest part of its path that exists, must be a folder.
  for (let at = real; ; at = dirname(at)) {
    const stat = inspect(at, true);
    if (stat !== undefined) {
      if (stat.isDirectory()) return undefined;
      const what = kindOf(stat) === 'file' ? 'a regular file' : `a ${kindOf(stat)}`;
      return at === real
        ? `${shown} is ${what}, not a folder: name a folder for the generated files`
        : `${describePath(at)} is ${what}, so ${shown} cannot be a folder`;
    }
    if (dirname(at) === at) return undefined;
  }
}

/** Throws bad input (exit 2), naming where it was set, where `out` is no place for an output tree. */
export function checkOutDir(out: string, places?: Places, setting: OutSetting = OUT_FLAG): void {
  let problem: string | undefined;
  try {
    problem = outDirProblem(out, places, setting.example);
  } catch (error) {
    problem = `cannot look at ${describePath(out)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  if (problem !== undefined) throw new ConfigError(setting.source, [setting.field === undefined ? problem : `${setting.field}: ${problem}`]);
}
