// A Packages index: one paragraph per package version. Only what a rebuild report needs
// is kept: name, version, architecture, source, what it depends on and provides, and
// what makes the bootstrap choose it (Priority, Essential).
import { paragraphs } from './control.js';
import type { Relation } from './version.js';

/** One alternative of a dependency: `libc6 (>= 2.36)`. */
export interface Dependency {
  name: string;
  relation?: Relation;
  version?: string;
}

/** A dependency is a list of alternatives (`a | b`); a field is a list of dependencies. */
export type Alternatives = Dependency[];

export interface PackageVersion {
  name: string;
  version: string;
  arch: string;
  source: string;
  sourceVersion: string;
  priority: string;
  essential: boolean;
  /** Pre-Depends, then Depends: both must hold once the package is installed. */
  depends: Alternatives[];
  provides: Dependency[];
}

const FIELDS = new Set(['package', 'version', 'architecture', 'source', 'priority', 'essential', 'depends', 'pre-depends', 'provides']);
const RELATIONS = new Set(['<<', '<=', '=', '>=', '>>']);

/** One alternative; `:any` and `:native` qualifiers are dropped (one architecture per build). */
function dependency(text: string): Dependency | undefined {
  const m = /^([^\s(:[]+)(?::[a-z0-9-]+)?\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^\s)]+)\s*\))?/.exec(text.trim());
  if (!m) return undefined;
  const [, name, op, version] = m;
  if (op === undefined) return { name: name! };
  // `<` and `>` are obsolete spellings of `<=` and `>=`.
  const relation = (op === '<' ? '<=' : op === '>' ? '>=' : op) as Relation;
  return RELATIONS.has(relation) ? { name: name!, relation, version: version! } : { name: name! };
}

/** A Depends-style field: comma-separated dependencies, each `|`-separated alternatives. */
export function parseRelations(field: string | undefined): Alternatives[] {
  if (field === undefined || field.trim() === '') return [];
  const out: Alternatives[] = [];
  for (const group of field.split(',')) {
    const alternatives = group
      .split('|')
      .map(dependency)
      .filter((d): d is Dependency => d !== undefined);
    if (alternatives.length > 0) out.push(alternatives);
  }
  return out;
}

/** `Source: name (version)` or `Source: name`; absent = the package's own name and version. */
function sourceOf(field: string | undefined, name: string, version: string): { source: string; sourceVersion: string } {
  if (field === undefined || field === '') return { source: name, sourceVersion: version };
  const m = /^(\S+)(?:\s*\(([^)]+)\))?/.exec(field.trim());
  return { source: m?.[1] ?? name, sourceVersion: m?.[2]?.trim() ?? version };
}

/** Every package version of an index, in its order. */
export function parsePackages(text: string): PackageVersion[] {
  const out: PackageVersion[] = [];
  for (const p of paragraphs(text, FIELDS)) {
    const name = p.get('package');
    const version = p.get('version');
    if (name === undefined || version === undefined) continue;
    out.push({
      name,
      version,
      arch: p.get('architecture') ?? 'all',
      ...sourceOf(p.get('source'), name, version),
      priority: p.get('priority') ?? 'optional',
      essential: p.get('essential')?.toLowerCase() === 'yes',
      depends: [...parseRelations(p.get('pre-depends')), ...parseRelations(p.get('depends'))],
      provides: parseRelations(p.get('provides')).flat(),
    });
  }
  return out;
}
