// Read the project file (find-project-file.ts finds it). Its config globs are expanded
// here, relative to the project root, in a fixed order. Nothing a project reads lies
// outside it: the project file and every config must resolve inside the project root,
// and globs do not descend into linked folders.
import { readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { globSync, isDynamicPattern, type GlobOptions } from 'tinyglobby';
import { describeInput } from '../model/describe.js';
import { ConfigError } from '../model/index.js';
import { validateProject } from '../model/project.js';
import { readConfigFile } from './config-file.js';
import { inspect } from './regular-file.js';

export { findProjectFile } from './find-project-file.js';

export interface Project {
  /** The folder of the project file: headers name paths relative to it. */
  root: string;
  file: string;
  /** Absolute config paths, sorted. */
  configs: string[];
  /** Absolute output directory. */
  out: string;
  defaults: Record<string, unknown>;
}

/** Where `path` leads once every link is resolved; undefined where it leads nowhere (the reader says why). */
function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

const inside = (root: string, real: string) => {
  const rel = relative(root, real);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/**
 * The folder listings a glob walks, with every entry that is not a real folder shown as
 * a file: a linked folder is never entered (it may lead anywhere, even back up the
 * tree), and a link, FIFO or device that matches is listed, to be refused by name
 * rather than passed over (the walker lists only regular files and links it follows).
 */
const UNFOLLOWED = {
  readdirSync: (path: string) =>
    readdirSync(path, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? entry : { name: entry.name, parentPath: entry.parentPath, isFile: (): boolean => true, isDirectory: (): boolean => false, isSymbolicLink: (): boolean => false },
    ),
} as unknown as GlobOptions['fs'];

/** The first symlink among the folders a pattern names before its first wildcard, relative to the root. */
function linkOnTheWay(root: string, pattern: string): string | undefined {
  const parts = pattern.split('/');
  for (let i = 1; i < parts.length && !isDynamicPattern(parts[i - 1]!); i++) {
    const folder = parts.slice(0, i).join('/');
    if (inspect(join(root, folder))?.isSymbolicLink()) return folder;
  }
  return undefined;
}

export function readProject(file: string, shown: string): Project {
  const root = dirname(resolve(file));
  const realRoot = realpathSync(root);
  const realFile = realPath(file);
  if (realFile !== undefined && !inside(realRoot, realFile)) {
    throw new ConfigError(shown, ['leads out of the project (a symlink?): make the project file a regular file in the project root']);
  }
  const settings = validateProject(readConfigFile(file, shown), shown);
  const problems: string[] = [];
  const configs = new Set<string>();
  const shownInRoot = (path: string) => describeInput(relative(root, path).split(sep).join('/'));
  for (const [i, pattern] of settings.configs.entries()) {
    // The walk would start inside a linked folder named before the first wildcard.
    const link = isDynamicPattern(pattern) ? linkOnTheWay(root, pattern) : undefined;
    if (link !== undefined) {
      problems.push(`configs[${i}]: ${JSON.stringify(pattern)}: ${describeInput(link)} is a symlink, and globs do not enter links (they may lead out of the project)`);
      continue;
    }
    const matches = isDynamicPattern(pattern)
      ? globSync(pattern, { cwd: root, absolute: true, onlyFiles: true, expandDirectories: false, followSymbolicLinks: false, fs: UNFOLLOWED })
      : inspect(join(root, pattern)) !== undefined
        ? [join(root, pattern)]
        : [];
    if (matches.length === 0) problems.push(`configs[${i}]: ${JSON.stringify(pattern)} matches no file`);
    for (const match of matches.map((m) => resolve(m)).sort()) {
      // A glob such as *.yaml must not take the project file for a config.
      if (match === resolve(file)) continue;
      const real = realPath(match);
      if (real !== undefined && !inside(realRoot, real)) {
        problems.push(`configs[${i}]: ${shownInRoot(match)} leads out of the project (a symlink?): keep the configs inside it`);
      } else configs.add(match);
    }
  }
  if (problems.length > 0) throw new ConfigError(shown, problems);
  return { root, file: resolve(file), configs: [...configs].sort(), out: join(root, settings.out), defaults: settings.defaults };
}
