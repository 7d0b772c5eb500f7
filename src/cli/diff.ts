// check --diff: what `generate` would change, as a unified diff per file.
import { createTwoFilesPatch } from 'diff';
import type { OutputFile } from '../layout.js';
import type { Drift } from '../io/tree.js';

/** `current` reads a file of the output tree (undefined when it cannot be read as text). */
export function driftDiff(drift: Drift, files: readonly OutputFile[], current: (path: string) => string | undefined): string {
  const wanted = new Map(files.map((f) => [f.path, f.content]));
  const patch = (path: string, before: string, after: string, a: string, b: string) =>
    createTwoFilesPatch(a, b, before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/, '');
  const parts = [
    ...drift.missing.map((p) => patch(p, '', wanted.get(p)!, '/dev/null', `b/${p}`)),
    ...drift.stale.map((p) => {
      const now = current(p);
      const after = wanted.get(p)!;
      if (now === undefined) return `--- a/${p}\n+++ b/${p}\n(not a readable text file; generate replaces it)\n`;
      // The bytes match but the mode does not: say so, as git does.
      if (now === after) return `${p}: only its mode differs (generate sets it)\n`;
      return patch(p, now, after, `a/${p}`, `b/${p}`);
    }),
    ...drift.orphaned.map((p) => patch(p, current(p) ?? '', '', `a/${p}`, '/dev/null')),
  ];
  return parts.join('');
}
