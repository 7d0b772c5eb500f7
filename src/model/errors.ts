import type { z } from 'zod';

/** Bad input: a config that does not validate, a file that does not parse. The CLI exits 2. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `locales.generate[1]` style paths, so a reader finds the field in the file. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(top level)';
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`);
}
