import { DISTROS } from './distros.js';
import { RELEASES, type Distro, type Release } from './table.js';

export { DISTROS } from './distros.js';
export type { DistroFacts } from './distros.js';
export { RELEASES } from './table.js';
export type { Distro, Release, ReleaseStatus, SecurityLayout, SourcesFormat } from './table.js';

export function findRelease(distro: Distro, codename: string): Release | undefined {
  return RELEASES.find((r) => r.distro === distro && r.codename === codename);
}

export function codenames(distro: Distro): string[] {
  return RELEASES.filter((r) => r.distro === distro).map((r) => r.codename);
}

export function distroFacts(distro: Distro) {
  return DISTROS[distro];
}

/** The suite that carries security updates, by the release's layout; null where there is none. */
export function securitySuite(release: Release): string | null {
  if (release.security === 'none') return null;
  return release.security === 'slash-updates' ? `${release.codename}/updates` : `${release.codename}-security`;
}

/**
 * Where the security suite comes from when the config names no security mirror: the
 * main mirror (Ubuntu carries it there), the archive of ended releases (archived
 * Debian), or nowhere known — then the config must name one.
 */
export function defaultSecurityMirror(release: Release, mirror: string): string | undefined {
  const facts = DISTROS[release.distro];
  if (facts.securityOnMirror) return mirror;
  if (release.status === 'archived') return facts.archivedSecurityMirror ?? undefined;
  return undefined;
}
