// How outdated and refresh say what a rebuild would change: aligned text for a terminal,
// Markdown for a pull request, JSON for bots. Pure formatting.
import type { Change, RebuildResult } from '../archive/rebuild.js';

/** One architecture of one config, checked against one manifest. */
export interface ImageReport {
  /** The config as the outputs' headers name it (`config configs/debian.yaml`, `preset ...`). */
  config: string;
  id: string;
  arch: string;
  /** The manifest compared against, as given; `modelled` where none (refresh without expect). */
  against: string;
  snapshot: string | null;
  result: RebuildResult;
  /** The Release files read, with their dates. */
  sources: { suite: string; release: string; date: string | null }[];
  notes: string[];
}

export const hasChanges = (r: ImageReport) => r.result.changes.length > 0 || r.result.problems.length > 0;

function suiteText(c: Change): string {
  return c.suite === undefined ? '' : `${c.suite}${c.security ? ' (security)' : ''}`;
}

function rows(changes: readonly Change[]): string[][] {
  return changes.map((c) => {
    const mark = c.kind === 'add' ? '+' : c.kind === 'remove' ? '-' : c.kind === 'downgrade' ? '<' : '~';
    const versions = c.kind === 'add' ? `${c.to}` : c.kind === 'remove' ? `${c.from}` : `${c.from} -> ${c.to}`;
    return [mark, c.name, versions, suiteText(c), c.reason ?? ''];
  });
}

function table(cells: string[][]): string[] {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => r[i]!.length))) ?? [];
  return cells.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The terminal report of one image. */
export function reportText(r: ImageReport): string {
  const head = `${r.id} (${r.config.replace(/^config /, '')}, ${r.arch}) against ${r.against}`;
  const lines: string[] = [];
  if (!hasChanges(r)) lines.push(`${head}: a rebuild now changes nothing`);
  else {
    lines.push(`${head}: a rebuild now changes ${count(r.result.changes.length, 'package')}`);
    lines.push(...table(rows(r.result.changes)));
    for (const p of r.result.problems) lines.push(`  ! ${p}`);
  }
  if (r.result.kept.length > 0) lines.push(`  (no source lists ${r.result.kept.join(', ')}: kept as they are)`);
  return `${lines.join('\n')}\n`;
}

const md = (text: string) => text.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);

/** The Markdown of one image's changes: a table a pull request shows. */
export function reportMarkdown(r: ImageReport): string {
  const lines = [`### ${md(r.id)} (${md(r.arch)})`, ''];
  if (!hasChanges(r)) return `${[...lines, 'No package changes.', ''].join('\n')}\n`;
  lines.push('| | package | from | to | suite | why |', '| --- | --- | --- | --- | --- | --- |');
  for (const c of r.result.changes) {
    const mark = c.kind === 'add' ? 'added' : c.kind === 'remove' ? 'removed' : c.kind === 'downgrade' ? 'downgraded' : 'updated';
    lines.push(`| ${mark} | \`${c.name}\` | ${md(c.from ?? '')} | ${md(c.to ?? '')} | ${md(suiteText(c))} | ${md(c.reason ?? '')} |`);
  }
  for (const p of r.result.problems) lines.push('', `> ${md(p)}`);
  return `${lines.join('\n')}\n\n`;
}

export function reportJson(r: ImageReport) {
  return {
    config: r.config.replace(/^config /, ''),
    id: r.id,
    arch: r.arch,
    against: r.against,
    snapshot: r.snapshot,
    changed: hasChanges(r),
    changes: r.result.changes,
    problems: r.result.problems,
    kept: r.result.kept,
    sources: r.sources,
    notes: r.notes,
  };
}
