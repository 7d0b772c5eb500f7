// apt's choice of version: each version gets a priority from the Release files (500;
// NotAutomatic 1, with ButAutomaticUpgrades 100) and the preferences the image has (the
// config's pins and its repositories' priorities, apt_preferences(5)); the highest
// priority wins, the newer version on a tie, and nothing is downgraded below 1000.
import { paragraphs } from './control.js';
import type { PackageVersion } from './packages.js';
import type { ReadSource } from './source.js';
import { compareVersions } from './version.js';

export interface Preference {
  /** Package names or globs; `*` alone makes it apt's general form. */
  packages: string[];
  pin: string;
  priority: number;
}

/** One package version as one source lists it. */
export interface Instance {
  pkg: PackageVersion;
  source: ReadSource;
  component: string;
}

/** The records of an apt preferences file (what the plan writes to preferences.d). */
export function parsePreferences(text: string): Preference[] {
  const out: Preference[] = [];
  for (const p of paragraphs(text)) {
    const packages = (p.get('package') ?? '').split(/\s+/).filter(Boolean);
    const pin = p.get('pin');
    const priority = Number(p.get('pin-priority'));
    if (packages.length > 0 && pin !== undefined && Number.isInteger(priority)) out.push({ packages, pin, priority });
  }
  return out;
}

/** A glob (`*`, `?`) as apt's fnmatch reads one, anchored. */
function glob(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

const isGeneral = (p: Preference) => p.packages.length === 1 && p.packages[0] === '*';

/** Does `pin` (release ..., origin ..., version ...) match this instance? */
function pinMatches(pin: string, instance: Instance): boolean {
  const [kind, ...rest] = pin.trim().split(/\s+/);
  const value = rest.join(' ');
  if (kind === 'version') return glob(value).test(instance.pkg.version);
  if (kind === 'origin') {
    const host = value.replace(/^"|"$/g, '');
    try {
      return new URL(instance.source.spec.uri).hostname === host;
    } catch {
      return false;
    }
  }
  if (kind === 'release') {
    const r = instance.source.release;
    const fields: Record<string, string> = {
      a: r.suite,
      n: r.codename,
      o: r.origin,
      l: r.label,
      c: instance.component,
      v: r.version,
      b: instance.pkg.arch,
    };
    return value.split(',').every((term) => {
      const eq = term.indexOf('=');
      const key = term.slice(0, eq).trim();
      const want = term.slice(eq + 1).trim();
      return eq > 0 && fields[key] !== undefined && glob(want).test(fields[key]!);
    });
  }
  return false;
}

/** The priority apt gives a source's package files before any preference. */
function defaultPriority(source: ReadSource): number {
  if (!source.release.notAutomatic) return 500;
  return source.release.butAutomaticUpgrades ? 100 : 1;
}

export class Universe {
  private readonly byName = new Map<string, Instance[]>();
  private readonly providersOf = new Map<string, Set<string>>();
  private readonly specific: Preference[];
  private readonly general: Preference[];
  private readonly candidates = new Map<string, Instance | null>();

  constructor(
    readonly sources: readonly ReadSource[],
    preferences: readonly Preference[] = [],
  ) {
    this.specific = preferences.filter((p) => !isGeneral(p));
    this.general = preferences.filter(isGeneral);
    for (const source of sources) {
      for (const { component, packages } of source.indices) {
        for (const pkg of packages) {
          const list = this.byName.get(pkg.name) ?? [];
          list.push({ pkg, source, component });
          this.byName.set(pkg.name, list);
          if (!pkg.hasProvides) continue;
          for (const p of pkg.provides) {
            const set = this.providersOf.get(p.name) ?? new Set<string>();
            set.add(pkg.name);
            this.providersOf.set(p.name, set);
          }
        }
      }
    }
  }

  /** Every instance of a package, in the order of the sources. */
  instances(name: string): Instance[] {
    return this.byName.get(name) ?? [];
  }

  /** A source's instance of this exact version, the first in source order. */
  find(name: string, version: string): Instance | undefined {
    return this.instances(name).find((i) => i.pkg.version === version);
  }

  /** Names of packages that Provide `name`. */
  providers(name: string): string[] {
    return [...(this.providersOf.get(name) ?? [])].sort();
  }

  /** A file's priority: the first general preference that matches it, else the default. */
  private filePriority(instance: Instance): number {
    const pref = this.general.find((p) => pinMatches(p.pin, instance));
    return pref ? pref.priority : defaultPriority(instance.source);
  }

  /** A version's priority: the first specific preference for the package that matches one of its instances, else the highest of its files. */
  priority(name: string, version: string): number {
    const same = this.instances(name).filter((i) => i.pkg.version === version);
    for (const pref of this.specific) {
      if (!pref.packages.some((p) => glob(p).test(name))) continue;
      if (same.some((i) => pinMatches(pref.pin, i))) return pref.priority;
    }
    return Math.max(...same.map((i) => this.filePriority(i)));
  }

  /**
   * The version apt installs: the highest priority, the newest on a tie, never one with a
   * negative priority; below 1000 never older than `installed` (what the bootstrap put there).
   */
  candidate(name: string, installed?: string): Instance | undefined {
    const key = `${name}\0${installed ?? ''}`;
    const known = this.candidates.get(key);
    if (known !== undefined) return known ?? undefined;
    const versions = [...new Set(this.instances(name).map((i) => i.pkg.version))].sort((a, b) => compareVersions(b, a));
    let best: { version: string; priority: number } | undefined;
    for (const version of versions) {
      const priority = this.priority(name, version);
      if (priority < 0) continue;
      if (installed !== undefined && compareVersions(version, installed) < 0 && priority < 1000) continue;
      if (best === undefined || priority > best.priority) best = { version, priority };
    }
    const chosen = best === undefined ? undefined : this.find(name, best.version);
    this.candidates.set(key, chosen ?? null);
    return chosen;
  }
}
