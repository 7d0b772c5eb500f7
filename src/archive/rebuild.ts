// What a rebuild today would install, worked out from what the image holds (its package
// manifest) and the sources as they are now:
// - every package gets the version apt would choose now (policy.ts);
// - a package whose new version depends on something the image lacks pulls it in (the
//   first alternative apt could install, as apt picks it);
// - a package that was in the image only because another one depended on it, and that
//   nothing depends on any more, is dropped; so is one that no source has any more;
// - what the build asks for by itself (the variant's required packages, the config's
//   packages) is added where the image lacks it.
// Which package needed which is read from the versions the image holds, where a source
// still lists them; otherwise from the new ones (see the README for what that misses).
import type { ManifestLine } from '../manifest.js';
import type { Alternatives, Dependency, PackageVersion } from './packages.js';
import type { Instance, Universe } from './policy.js';
import { satisfiesRelation } from './version.js';

/** What the build asks for by itself, with the reason a report gives when it adds one. */
export interface Roots {
  /** Package name -> why the build installs it. */
  wanted: Map<string, string>;
  /** name=version pins of the config: that version, whatever apt would choose. */
  pins: Map<string, string>;
  /** Packages the bootstrap installs from the release's own suite: apt does not downgrade them below that. */
  bootstrap: Set<string>;
  /** The suite the bootstrap reads (the first source). */
  mainSource?: string;
}

export type ChangeKind = 'upgrade' | 'downgrade' | 'add' | 'remove';

export interface Change {
  kind: ChangeKind;
  name: string;
  arch: string;
  from?: string;
  to?: string;
  /** The suite the new version comes from (as sources name it), for upgrades and additions. */
  suite?: string;
  /** The new version is in the release's security suite. */
  security?: boolean;
  /** For additions and removals: why. */
  reason?: string;
}

export interface RebuildResult {
  changes: Change[];
  /** A rebuild would fail: a pinned version or a dependency no source has. */
  problems: string[];
  /** Packages no source lists, kept as they are (installed by a hook, say). */
  kept: string[];
  /** The manifest a rebuild would write. */
  manifest: ManifestLine[];
}

interface Member {
  name: string;
  version: string;
  arch: string;
  /** What it depends on and provides in this version; undefined where no source lists it. */
  pkg?: PackageVersion;
  instance?: Instance;
  line?: ManifestLine;
}

/** Is `dep` satisfied by a member of `set` (by name and version, or by what a member Provides)? */
function satisfiedBy(dep: Dependency, set: ReadonlyMap<string, Member>): Member | undefined {
  const direct = set.get(dep.name);
  if (direct && (dep.relation === undefined || satisfiesRelation(direct.version, dep.relation, dep.version!))) return direct;
  for (const member of set.values()) {
    for (const p of member.pkg?.provides ?? []) {
      if (p.name !== dep.name) continue;
      // An unversioned Provides satisfies only an unversioned dependency.
      if (dep.relation === undefined) return member;
      if (p.relation === '=' && p.version !== undefined && satisfiesRelation(p.version, dep.relation, dep.version!)) return member;
    }
  }
  return undefined;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const PRIORITY_RANK: Record<string, number> = { required: 0, important: 1, standard: 2, optional: 3, extra: 4 };

/** A readable dependency: `libc6 (>= 2.36) | libc6.1`. */
export function showAlternatives(group: Alternatives): string {
  return group.map((d) => (d.relation ? `${d.name} (${d.relation} ${d.version})` : d.name)).join(' | ');
}

export function rebuild(manifest: readonly ManifestLine[], universe: Universe, roots: Roots, arch: string): RebuildResult {
  const problems: string[] = [];
  const kept: string[] = [];
  const native = (line: ManifestLine) => line.arch === arch || line.arch === 'all';
  // Packages of another architecture are not read from this architecture's indices: kept as they are.
  const foreign = manifest.filter((l) => !native(l));
  const lines = manifest.filter(native);

  /** The version a rebuild installs now, or undefined where no source has it. */
  const target = (name: string): Instance | undefined => {
    const pin = roots.pins.get(name);
    if (pin !== undefined) {
      const pinned = universe.find(name, pin);
      if (!pinned) problems.push(`${name}=${pin} is pinned by the config, and no source has that version: the build would fail`);
      return pinned;
    }
    const installed = roots.bootstrap.has(name) ? universe.instances(name).find((i) => i.source.spec.label === roots.mainSource)?.pkg.version : undefined;
    return universe.candidate(name, installed);
  };
  const member = (name: string, instance: Instance | undefined, line?: ManifestLine): Member =>
    instance
      ? { name, version: instance.pkg.version, arch: instance.pkg.arch, pkg: instance.pkg, instance, line }
      : { name, version: line!.version, arch: line!.arch, line };

  // The image as it is: each package with the dependencies of the version it holds.
  const old = new Map<string, Member>();
  for (const line of lines) {
    const instance = universe.find(line.name, line.version) ?? target(line.name);
    old.set(line.name, { name: line.name, version: line.version, arch: line.arch, pkg: instance?.pkg, line });
  }
  // Which member satisfies each dependency in the image: the first alternative it holds.
  const neededBy = new Map<string, Set<string>>();
  for (const m of old.values()) {
    for (const group of m.pkg?.depends ?? []) {
      for (const dep of group) {
        const by = satisfiedBy(dep, old);
        if (by && by.name !== m.name) {
          const set = neededBy.get(by.name) ?? new Set<string>();
          set.add(m.name);
          neededBy.set(by.name, set);
          break;
        }
        if (by) break;
      }
    }
  }
  // What the image holds for its own sake: nothing in it needed it, or the build asks for it.
  const start = [...old.keys()].filter((name) => !neededBy.has(name) || roots.wanted.has(name));
  const reach = (from: string[]) => {
    const seen = new Set(from);
    const queue = [...from];
    while (queue.length > 0) {
      const name = queue.pop()!;
      for (const [dep, users] of neededBy) if (users.has(name) && !seen.has(dep)) (seen.add(dep), queue.push(dep));
    }
    return seen;
  };
  const reached = reach(start);
  // A cycle that nothing outside it needs (rare) is held for its own sake too.
  const own = [...start, ...[...old.keys()].filter((name) => !reached.has(name))];

  // The image a rebuild makes: those packages at their new versions, and what they need now.
  const now = new Map<string, Member>();
  const reasons = new Map<string, string>();
  const queue: string[] = [];
  const add = (m: Member, reason?: string) => {
    now.set(m.name, m);
    if (reason) reasons.set(m.name, reason);
    queue.push(m.name);
  };
  for (const name of own) {
    const instance = target(name);
    if (!instance && universe.instances(name).length === 0) kept.push(name);
    add(member(name, instance, old.get(name)!.line));
  }
  for (const [name, why] of [...roots.wanted].sort(([a], [b]) => byteOrder(a, b))) {
    if (now.has(name)) continue;
    if (old.has(name)) {
      add(member(name, target(name), old.get(name)!.line));
      continue;
    }
    const instance = target(name);
    if (instance) add(member(name, instance), why);
    else problems.push(`${name} (${why}) is in no source: the build would fail`);
  }
  // The image's packages at their new versions: an alternative the image holds is kept (as apt keeps it).
  const oldAtNew = new Map([...old.keys()].map((name) => [name, member(name, target(name), old.get(name)!.line)]));
  while (queue.length > 0) {
    const name = queue.shift()!;
    const pkg = now.get(name)!.pkg;
    for (const group of pkg?.depends ?? []) {
      let satisfied = false;
      for (const dep of group) {
        if (satisfiedBy(dep, now)) {
          satisfied = true;
          break;
        }
        const held = satisfiedBy(dep, oldAtNew);
        if (held) {
          if (!now.has(held.name)) add(held);
          satisfied = true;
          break;
        }
      }
      if (satisfied) continue;
      // Not there: the first alternative a source can satisfy, a real package before a provider.
      let chosen: Instance | undefined;
      for (const dep of group) {
        const real = target(dep.name);
        if (real && (dep.relation === undefined || satisfiesRelation(real.pkg.version, dep.relation, dep.version!))) {
          chosen = real;
          break;
        }
        const providers = universe
          .providers(dep.name)
          .map((n) => target(n))
          .filter((i): i is Instance => i !== undefined && satisfiedBy(dep, new Map([[i.pkg.name, member(i.pkg.name, i)]])) !== undefined)
          .sort((a, b) => (PRIORITY_RANK[a.pkg.priority] ?? 5) - (PRIORITY_RANK[b.pkg.priority] ?? 5) || byteOrder(a.pkg.name, b.pkg.name));
        if (providers[0]) {
          chosen = providers[0];
          break;
        }
      }
      if (chosen) add(member(chosen.pkg.name, chosen), `needed by ${name} ${pkg!.version} (${showAlternatives(group)})`);
      else problems.push(`${name} ${pkg!.version} depends on ${showAlternatives(group)}, which no source has: the build would fail`);
    }
  }

  const changes: Change[] = [];
  for (const m of now.values()) {
    const was = old.get(m.name);
    // A version the security suite lists is a security update, whichever suite also has it.
    const fromSecurity = universe.instances(m.name).find((i) => i.pkg.version === m.version && i.source.spec.security);
    const suite = m.instance ? (fromSecurity ?? m.instance).source.spec.label : undefined;
    const security = fromSecurity !== undefined;
    if (!was) {
      changes.push({ kind: 'add', name: m.name, arch: m.arch, to: m.version, suite, security, reason: reasons.get(m.name) });
    } else if (was.version !== m.version) {
      const newer = satisfiesRelation(m.version, '>>', was.version);
      changes.push({ kind: newer ? 'upgrade' : 'downgrade', name: m.name, arch: m.arch, from: was.version, to: m.version, suite, security });
    }
  }
  for (const was of old.values()) {
    if (now.has(was.name)) continue;
    const gone = universe.instances(was.name).length === 0;
    const users = [...(neededBy.get(was.name) ?? [])].sort(byteOrder);
    const reason = gone ? 'no source has it any more' : `nothing needs it any more (was needed by ${users.join(', ')})`;
    changes.push({ kind: 'remove', name: was.name, arch: was.arch, from: was.version, reason });
  }
  changes.sort((a, b) => byteOrder(a.name, b.name) || byteOrder(a.arch, b.arch));

  const newLines: ManifestLine[] = [
    ...foreign,
    ...[...now.values()].map((m) =>
      m.pkg ? { name: m.name, version: m.version, arch: m.arch, source: m.pkg.source, sourceVersion: m.pkg.sourceVersion } : m.line!,
    ),
  ].sort((a, b) => byteOrder(a.name, b.name) || byteOrder(a.arch, b.arch));
  return { changes, problems: [...new Set(problems)], kept: kept.sort(byteOrder), manifest: newLines };
}

/** The manifest's text: tab-separated lines, as the script's records step writes them. */
export function manifestText(lines: readonly ManifestLine[]): string {
  return lines.map((l) => `${l.name}\t${l.version}\t${l.arch}\t${l.source}\t${l.sourceVersion}\n`).join('');
}
