import type { z } from 'zod';
import { describeInput, describePath } from './describe.js';

/** Past this many problems, the rest are counted, not listed: an error fits on one screen. */
export const MAX_PROBLEMS = 12;

/**
 * Bad input: a config that does not validate, a file that does not parse. The CLI exits 2.
 * `source` is usually a path the user typed: it is shown escaped, as values are.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${describePath(source)}:\n${listProblems(problems)}`);
    this.name = 'ConfigError';
  }
}

function listProblems(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `  - ${p}`);
  const more = problems.length - MAX_PROBLEMS;
  if (more > 0) shown.push(`  - ... and ${more} more problem${more === 1 ? '' : 's'}`);
  return shown.join('\n');
}

/** `locales.generate[1]` style paths, so a reader finds the field in the file. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += `[${describeInput(key)}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(top level)';
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** zod's type errors say "expected string, received number"; ours say what was given, too. */
function message(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const expected = ARTICLE[issue.expected] ?? issue.expected;
    if (issue.input === undefined) return `required: expected ${expected}`;
    return `expected ${expected}, got ${describeInput(issue.input)}`;
  }
  if (issue.code === 'invalid_union') {
    // A union with its own error (arch) has said it better than a list of forms.
    if (!issue.message.startsWith('Invalid input')) return issue.message;
    const alternatives = issue.errors.map((branch) => {
      const first = branch[0];
      if (first?.code === 'invalid_type') return ARTICLE[first.expected] ?? first.expected;
      if (first?.code === 'invalid_value') return first.values.map((v) => JSON.stringify(v)).join(' or ');
      return 'another form';
    });
    return `expected ${alternatives.join(' or ')}, got ${describeInput(issue.input)}`;
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const given = Array.isArray(issue.input) ? `${issue.input.length} item${issue.input.length === 1 ? '' : 's'}` : describeInput(issue.input);
    return `${issue.message.replace(/^Too (small|big): /, '')}, got ${given}`;
  }
  // A record key (env) that fails its pattern: say what the pattern said, not "Invalid key".
  if (issue.code === 'invalid_key' && issue.issues[0] !== undefined) return message(issue.issues[0]);
  return issue.message;
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${fieldPath(issue.path)}: ${message(issue)}`);
}
