// Where the project file is: from a directory upward, as git and npm find theirs. Apart
// from reading it (project-file.ts), so a run without one loads no validator.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PROJECT_FILE } from '../layout.js';

/** The nearest project file at or above `from`, or undefined. */
export function findProjectFile(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
