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
