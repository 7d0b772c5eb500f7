// Read the project file (find-project-file.ts finds it). Its config globs are expanded
// here, relative to the project root, in a fixed order.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { ConfigError } from '../model/index.js';
import { validateProject } from '../model/project.js';
import { readConfigFile } from './config-file.js';

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

export function readProject(file: string, shown: string): Project {
  const root = dirname(resolve(file));
  const settings = validateProject(readConfigFile(file, shown), shown);
  const problems: string[] = [];
  const configs = new Set<string>();
  for (const [i, pattern] of settings.configs.entries()) {
    const matches = isDynamicPattern(pattern)
      ? globSync(pattern, { cwd: root, absolute: true, onlyFiles: true, expandDirectories: false })
      : existsSync(join(root, pattern))
        ? [join(root, pattern)]
        : [];
    if (matches.length === 0) problems.push(`configs[${i}]: ${JSON.stringify(pattern)} matches no file`);
    // A glob such as *.yaml must not take the project file for a config.
    for (const match of matches) if (resolve(match) !== resolve(file)) configs.add(resolve(match));
  }
  if (problems.length > 0) throw new ConfigError(shown, problems);
  return { root, file: resolve(file), configs: [...configs].sort(), out: join(root, settings.out), defaults: settings.defaults };
}
