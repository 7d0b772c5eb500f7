// A Packages index: one paragraph per package version. Only what a rebuild report needs
// is kept: name, version, architecture, source, what it depends on and provides, and
// what makes the bootstrap choose it (Priority, Essential).
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
  readonly depends: Alternatives[];
  readonly provides: Dependency[];
  /** Whether it has a Provides field (read without parsing it). */
  hasProvides: boolean;
}

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

/** The fields a report reads, as indices spell them, by their first letter. */
const FIELDS: Record<string, readonly (readonly [string, string])[]> = {};
for (const f of ['Package', 'Version', 'Architecture', 'Source', 'Priority', 'Essential', 'Depends', 'Pre-Depends', 'Provides']) {
  (FIELDS[f[0]!] as (readonly [string, string])[] | undefined) ?? (FIELDS[f[0]!] = []);
  (FIELDS[f[0]!] as (readonly [string, string])[]).push([`${f}:`, f.toLowerCase()]);
}

/** A package version whose relations are parsed when first read: a report reads those of a few hundred of an index's tens of thousands. */
class Listed implements PackageVersion {
  private parsedDepends?: Alternatives[];
  private parsedProvides?: Dependency[];
  readonly source: string;
  readonly sourceVersion: string;
  constructor(
    readonly name: string,
    readonly version: string,
    readonly arch: string,
    sourceField: string | undefined,
    readonly priority: string,
    readonly essential: boolean,
    private readonly rawDepends: string | undefined,
    private readonly rawPreDepends: string | undefined,
    private readonly rawProvides: string | undefined,
  ) {
    ({ source: this.source, sourceVersion: this.sourceVersion } = sourceOf(sourceField, name, version));
  }

  get depends(): Alternatives[] {
    return (this.parsedDepends ??= [...parseRelations(this.rawPreDepends), ...parseRelations(this.rawDepends)]);
  }

  get provides(): Dependency[] {
    return (this.parsedProvides ??= parseRelations(this.rawProvides).flat());
  }

  get hasProvides(): boolean {
    return this.rawProvides !== undefined && this.rawProvides !== '';
  }
}

/**
 * Every package version of an index, in its order. A release's index is tens of
 * megabytes: lines are looked at only where they start, and only the few fields a report
 * needs are cut out (these are one line each in a Packages index).
 */
export function parsePackages(text: string): PackageVersion[] {
  const out: PackageVersion[] = [];
  let fields = new Map<string, string>();
  const flush = () => {
    const name = fields.get('package');
    const version = fields.get('version');
    if (name !== undefined && version !== undefined) {
      out.push(
        new Listed(
          name,
          version,
          fields.get('architecture') ?? 'all',
          fields.get('source'),
          fields.get('priority') ?? 'optional',
          fields.get('essential')?.toLowerCase() === 'yes',
          fields.get('depends'),
          fields.get('pre-depends'),
          fields.get('provides'),
        ),
      );
    }
    fields = new Map();
  };
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const first = text.charCodeAt(at);
    if (nl === at || (first === 13 && nl === at + 1)) {
      if (fields.size > 0) flush();
    } else {
      const candidates = FIELDS[text[at]!];
      if (candidates !== undefined) {
        for (const [prefix, key] of candidates) {
          if (text.startsWith(prefix, at)) {
            fields.set(key, text.slice(at + prefix.length, nl).trim());
            break;
          }
        }
      }
    }
    at = nl + 1;
  }
  if (fields.size > 0) flush();
  return out;
}
