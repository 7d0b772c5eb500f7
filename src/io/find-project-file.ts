// Where the project file is: from a directory upward, as git and npm find theirs. Apart
// from reading it (project-file.ts), so a run without one loads no validator.
import { dirname, join, resolve } from 'node:path';
import { PROJECT_FILE } from '../layout.js';
import { ConfigError } from '../model/errors.js';
import { inspect } from './regular-file.js';

/**
 * The nearest project file at or above `from`, or undefined. Whatever has the name counts,
 * so a folder, FIFO or link there is refused when it is read, not passed over for the
 * presets.
 */
export function findProjectFile(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    let found: boolean;
    try {
      found = inspect(candidate) !== undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(candidate, [`cannot look at it (${code === 'EACCES' ? 'permission denied' : (code ?? String(error))})`]);
    }
    if (found) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
