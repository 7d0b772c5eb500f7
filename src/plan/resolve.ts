// Settings + release knowledge -> the facts every output agrees on.
import type { Settings } from '../model/index.js';
import { distroFacts, findRelease, type DistroFacts, type Release, type SourcesFormat } from '../releases/index.js';

export interface Resolved {
  settings: Settings;
  release: Release;
  distro: DistroFacts;
  archived: boolean;
  securityMirror: string | null;
  updates: boolean;
  sourcesFormat: SourcesFormat;
  /** Packages debootstrap adds to the variant: the network package first, then the config's. */
  include: string[];
  divertInitctl: boolean;
  /** Keyring on the build host that checks the release's Release file. */
  hostKeyring: string;
  tarball: string;
  /** The reference the base image gets first; derived images build FROM it. */
  baseReference: string;
  /** Tags known when generating: suite, latest, extras (the version tag is read at build time). */
  staticTags: string[];
}

const TARBALL_SUFFIX = { xz: '.xz', gzip: '.gz', zstd: '.zst', none: '' } as const;

export function resolve(settings: Settings): Resolved {
  const release = findRelease(settings.distro, settings.suite);
  // Validation already rejected unknown suites; this guards library callers that skip it.
  if (!release) throw new Error(`unknown ${settings.distro} suite ${settings.suite}`);
  const distro = distroFacts(settings.distro);
  const archived = release.status === 'archived';
  // Validation made sure one of these exists where a security suite is wanted.
  const securityMirror =
    settings.apt.security && release.security !== 'none'
      ? (settings.securityMirror ?? (distro.securityOnMirror ? settings.mirror : distro.archivedSecurityMirror))
      : null;
  const include = [
    ...(settings.networkTools ? [release.networkPackage] : []),
    ...settings.include.filter((p) => p !== release.networkPackage),
  ];
  const { initctl } = settings.tweaks;
  const tags = [settings.suite, ...(settings.output.latest ? ['latest'] : []), ...settings.output.tags];
  return {
    settings,
    release,
    distro,
    archived,
    securityMirror,
    updates: settings.apt.updates && release.updates,
    sourcesFormat: settings.apt.format === 'auto' ? release.sourcesFormat : settings.apt.format,
    include,
    divertInitctl: initctl === 'auto' ? release.upstart : initctl,
    hostKeyring: archived ? distro.hostArchivedKeyring : distro.hostKeyring,
    tarball: settings.output.tarball ?? `rootfs.tar${TARBALL_SUFFIX[settings.output.compression]}`,
    baseReference: `${settings.name}:${settings.suite}`,
    staticTags: [...new Set(tags)],
  };
}
