// Package lists: Debian package names, and the few apt forms we allow on purpose.
// apt-get reads a command-line word as more than a name where it can: a trailing `-`
// removes the package, a trailing `+` installs it, `name/release` picks a suite, and a
// word that is no exact package name is tried as a glob (`*?[`) and then as an
// unanchored regex (`.?+*|[^$`) over every package name. So each word must be a name
// apt finds exactly, spelt as Debian policy has them, and nothing else.
import { ARCHES } from './formats.js';

/** Debian policy 5.6.1 (Source) and 5.6.7 (Package): lowercase, starts alphanumeric, at least two characters. */
const POLICY_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** A dpkg architecture qualifier, or apt's any/all/native. */
const ARCH_QUALIFIERS: readonly string[] = [...ARCHES, 'any', 'all', 'native'];

/**
 * Debian policy 5.6.12: [epoch:]upstream_version[-debian_revision]. The upstream part
 * starts with a digit and holds [A-Za-z0-9.+~-] (a hyphen only where a revision follows,
 * so it cannot end in one); the revision holds [A-Za-z0-9.+~].
 */
const VERSION = /^(?:[0-9]{1,9}:)?[0-9][A-Za-z0-9.+~-]{0,126}$/;

export interface PackageSpec {
  name: string;
  arch?: string;
  version?: string;
}

/** `name[:arch][=version]` split into its parts (not checked). */
export function parsePackageSpec(spec: string): PackageSpec {
  const eq = spec.indexOf('=');
  const head = eq < 0 ? spec : spec.slice(0, eq);
  const colon = head.indexOf(':');
  return {
    name: colon < 0 ? head : head.slice(0, colon),
    ...(colon < 0 ? {} : { arch: head.slice(colon + 1) }),
    ...(eq < 0 ? {} : { version: spec.slice(eq + 1) }),
  };
}

/** Why `name` is not a name apt takes as exactly itself, or undefined. */
function nameProblem(name: string): string | undefined {
  if (!POLICY_NAME.test(name)) {
    return 'is not a Debian package name: lowercase letters, digits, "+", "-" and ".", starting with a letter or digit, at least two characters (e.g. iproute2, libc6:amd64)';
  }
  if (name.endsWith('-')) return 'ends in "-", which tells apt to remove the package';
  if (/\.(?![a-z0-9])/.test(name)) {
    return 'has a "." not followed by a letter or digit: apt would read the word as a regular expression over all package names';
  }
  if (/[^+]\+$/.test(name)) return 'ends in a single "+", which apt reads as "install" (names such as g++ end in two)';
  return undefined;
}

/**
 * Why `spec` cannot be an item of a package list, or undefined where it is fine.
 * `pins`: whether `=version` is allowed (apt-get install takes it; debootstrap's
 * --include and any exclude list take names only).
 */
export function packageSpecProblem(spec: string, pins: boolean): string | undefined {
  if (/^[a-z0-9][a-z0-9+.:=~-]*\/[a-z0-9.-]+$/.test(spec)) return 'names a release with "/": name the package only (the suite comes from the config)';
  if (/^[a-z0-9+.:=~*?[\]^$|-]+$/.test(spec) && /[*?[\]^$|]/.test(spec)) return 'holds a glob or regular expression character: name one package exactly';
  const { name, arch, version } = parsePackageSpec(spec);
  const problem = nameProblem(name);
  if (problem !== undefined) return problem;
  if (arch !== undefined && !ARCH_QUALIFIERS.includes(arch)) {
    return `has an architecture qualifier that is none of ${ARCH_QUALIFIERS.join(', ')}`;
  }
  if (version !== undefined) {
    if (!pins) return 'pins a version with "=": this list takes package names only';
    if (!VERSION.test(version) || version.endsWith('-')) {
      return 'pins a version that is not a Debian version ([epoch:]upstream[-revision], starting with a digit, e.g. curl=7.88.1-10+deb12u8)';
    }
  }
  return undefined;
}
