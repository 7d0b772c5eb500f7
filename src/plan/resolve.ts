// Settings + release knowledge -> the facts every output agrees on, worked out once
// per config.
import { archFileName, archTag, defaultTarball } from '../layout.js';
import type { Arch } from '../model/formats.js';
import type { Settings } from '../model/index.js';
import { isArmored, keyFingerprints } from '../model/openpgp.js';
import { blob, type Blob } from './blob.js';
import { archToken, platformOf } from './arches.js';
import {
  defaultSecurityMirror,
  distroFacts,
  findRelease,
  securitySuite,
  type DistroFacts,
  type Release,
  type SourcesFormat,
} from '../releases/index.js';
import { isSnapshotMirror, snapshotEpoch, snapshotMirrors } from '../releases/snapshots.js';
import { profilePackages, type Profile, type ProfilePackage } from '../releases/minimal.js';

/** One apt source line of the image: URI, suite, components. */
export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
}

/** One architecture's build: where it installs from and what it writes. */
export interface ArchBuild {
  arch: Arch;
  /** Docker's name for it (arm64, armv7, 386): tarball names and per-architecture tags. */
  token: string;
  /** linux/arm64: buildx platforms, OCI index entries. */
  platform: string;
  /** The archive this architecture comes from: the mirror, or Ubuntu's ports mirror. */
  mirror: string;
  /** The image's apt sources. */
  sources: AptSource[];
  /** What the build installs from: the same suites, on the snapshot archive when pinned to one (else the same array). */
  buildSources: AptSource[];
  tarball: string;
  /** Tags of this architecture's image alone; empty for a single-architecture build. */
  tags: string[];
}

export interface Resolved {
  settings: Settings;
  release: Release;
  distro: DistroFacts;
  archived: boolean;
  /** The image's apt sources of the first architecture: the suite, -updates where the release has it, and the security suite where wanted. */
  sources: AptSource[];
  /** What the first architecture's build installs from: the same suites, on the snapshot archive when pinned to one. */
  buildSources: AptSource[];
  /** Every architecture built, in the config's order. */
  builds: ArchBuild[];
  /** The snapshot the build is pinned to, with its moment as SOURCE_DATE_EPOCH; null = the mirrors as they are. */
  snapshot: { timestamp: string; epoch: number } | null;
  /** Release files that are old on purpose (archived releases, snapshots): apt must not check Valid-Until. */
  noValidUntil: { build: boolean; image: boolean };
  /** SOURCE_DATE_EPOCH fixed when generating (sourceDateEpoch or the snapshot), or null = the newest Release date. */
  epoch: number | null;
  /** The security suite the sources use, or null where there is none. */
  securitySuite: string | null;
  sourcesFormat: SourcesFormat;
  /** Packages the bootstrap adds to the variant: the network package first, then the config's. */
  include: string[];
  divertInitctl: boolean;
  /** Keyring on the build host that checks the release's Release file. */
  hostKeyring: string;
  tarball: string;
  /** The reference the base image gets first; derived images build FROM it. */
  baseReference: string;
  /** Tags known when generating: suite, latest, extras (the version tag is read at build time). */
  staticTags: string[];
  /** Packages apt-get installs once the sources are in place: pinned ones and the extra repositories'. */
  aptInstall: string[];
  /** Extra repositories, each with its key as the image gets it. */
  repositories: ExtraRepository[];
  /** A minimal image: the packages unpacked into it (the profile's, then the config's include); null = a full rootfs. */
  profile: { name: Profile; packages: ProfilePackage[] } | null;
}

export interface ExtraRepository {
  name: string;
  uri: string;
  suites: string[];
  components: string[];
  /** Where its key goes in the image; apt takes .asc (armored) or .gpg (binary) by the name. */
  keyring: string;
  key: Blob;
  fingerprints: string[];
  priority: number | undefined;
}

export const IMAGE_KEYRINGS = '/etc/apt/keyrings';

/** The suites a build installs from, on `mirror`; `security` is the release's security suite, or null for none. */
function aptSources(settings: Settings, release: Release, mirror: string, security: string | null): AptSource[] {
  const { suite, components } = settings;
  const sources: AptSource[] = [{ uri: mirror, suite, components }];
  if (settings.apt.updates && release.updates) sources.push({ uri: mirror, suite: `${suite}-updates`, components });
  // Backports are NotAutomatic: apt takes from them only what is asked for by name or pin.
  if (settings.apt.backports) sources.push({ uri: mirror, suite: `${suite}-backports`, components });
  if (security === null) return sources;
  // Validation made sure one of these exists where a security suite is wanted.
  const uri = (settings.securityMirror ?? defaultSecurityMirror(release, mirror))!;
  sources.push({ uri, suite: security, components });
  return sources;
}

/** The same sources on the snapshot archive: the mirror's suites on its main tree, the security suite on its security tree. */
function onSnapshot(sources: AptSource[], settings: Settings, arch: Arch, mirror: string, timestamp: string): AptSource[] {
  const at = snapshotMirrors(settings.distro, arch, timestamp, settings.snapshotMirror);
  return sources.map((src) => ({ ...src, uri: src.uri === mirror ? at.mirror : at.security }));
}

export function resolve(settings: Settings): Resolved {
  const release = findRelease(settings.distro, settings.suite);
  // Validation already rejected unknown suites; this guards library callers that skip it.
  if (!release) throw new Error(`unknown ${settings.distro} suite ${settings.suite}`);
  const distro = distroFacts(settings.distro);
  const archived = release.status === 'archived';
  const { initctl } = settings.tweaks;
  const tags = [...(settings.output.releaseTags.suite ? [settings.suite] : []), ...(settings.output.latest ? ['latest'] : []), ...settings.output.tags];
  const staticTags = [...new Set(tags)];
  // debootstrap --include takes names only; pins go to apt-get once the sources are in place.
  const pinned = (p: string) => p.includes('=');
  const profile = minimalProfile(settings);
  const fullRootfsPackages = [
    ...(settings.networkTools ? [release.networkPackage] : []),
    ...settings.include.filter((p) => p !== release.networkPackage && !pinned(p)),
    // update-ca-certificates comes with ca-certificates: the certificates are added right after the bootstrap.
    ...(settings.caCertificates.length > 0 && !settings.include.includes('ca-certificates') ? ['ca-certificates'] : []),
  ];
  // A profile's build side holds exactly its packages (and what they depend on).
  const bootstrapPackages = profile ? profile.packages.map((p) => p.name) : fullRootfsPackages;
  const tarball = settings.output.tarball ?? defaultTarball(settings.output.compression);
  const several = settings.arch.length > 1;
  const snapshot = settings.snapshot === undefined ? null : { timestamp: settings.snapshot, epoch: snapshotEpoch(settings.snapshot)! };
  const security = settings.apt.security ? securitySuite(release) : null;
  const builds = settings.arch.map((arch): ArchBuild => {
    const token = archToken(arch);
    // Ubuntu's ports architectures come from portsMirror where the config names one.
    const mirror = distro.portsArches.includes(arch) ? (settings.portsMirror ?? settings.mirror) : settings.mirror;
    const sources = aptSources(settings, release, mirror, security);
    const buildSources = snapshot === null ? sources : onSnapshot(sources, settings, arch, mirror, snapshot.timestamp);
    return {
      arch,
      token,
      platform: platformOf(arch),
      mirror,
      sources: snapshot !== null && settings.apt.keepSnapshot ? buildSources : sources,
      buildSources,
      tarball: several ? archFileName(tarball, token) : tarball,
      tags: several ? staticTags.map((tag) => archTag(tag, token)) : [],
    };
  });
  const first = builds[0]!;
  const oldOnPurpose = (list: AptSource[]) => archived || list.some((src) => isSnapshotMirror(src.uri));
  return {
    settings,
    release,
    distro,
    archived,
    sources: first.sources,
    buildSources: first.buildSources,
    securitySuite: security,
    builds,
    snapshot,
    noValidUntil: { build: oldOnPurpose(first.buildSources), image: oldOnPurpose(first.sources) },
    epoch: settings.sourceDateEpoch ?? snapshot?.epoch ?? null,
    sourcesFormat: settings.apt.format === 'auto' ? release.sourcesFormat : settings.apt.format,
    include: bootstrapPackages,
    divertInitctl: initctl === 'auto' ? release.upstart : initctl,
    hostKeyring: archived ? distro.hostArchivedKeyring : distro.hostKeyring,
    tarball,
    baseReference: `${settings.name}:${staticTags[0] ?? settings.suite}`,
    staticTags,
    aptInstall: [...new Set([...settings.include.filter(pinned), ...settings.repositories.flatMap((repo) => repo.packages)])],
    profile,
    repositories: settings.repositories.map((repo) => {
      const key = blob(settings.embedded, repo.key);
      const armored = isArmored(key.bytes);
      return {
        name: repo.name,
        uri: repo.url,
        suites: repo.suites,
        components: repo.components,
        keyring: `${IMAGE_KEYRINGS}/${repo.name}.${armored ? 'asc' : 'gpg'}`,
        key,
        fingerprints: keyFingerprints(key.bytes),
        priority: repo.priority,
      };
    }),
  };
}

/** The profile's packages, then the config's include (names only: validation refused pins). */
function minimalProfile(settings: Settings): Resolved['profile'] {
  if (settings.profile === undefined) return null;
  const own = profilePackages(settings.distro, settings.suite, settings.profile) ?? [];
  const extra = settings.include.filter((name) => !own.some((p) => p.name === name)).map((name): ProfilePackage => ({ name }));
  return { name: settings.profile, packages: [...own, ...extra] };
}
