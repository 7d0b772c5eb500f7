// What we know of each Debian and Ubuntu release, in one table. Each row names the
// page that states each fact, so a reviewer can check it and the next release is a
// one-row change. Facts that follow from an era (security layout, package names,
// sources format) are written out per row rather than derived, to keep them checkable.

export type Distro = 'debian' | 'ubuntu';

/**
 * supported: on the regular mirrors with security updates.
 * ended: support over, but still on the regular mirrors (Ubuntu ESM releases, Debian after LTS).
 * archived: moved off the mirrors to the archive of ended releases.
 * development: testing or unstable; no security suite of its own (sid) or a young one (testing).
 */
export type ReleaseStatus = 'supported' | 'ended' | 'archived' | 'development';

/** `wheezy/updates` (Debian up to buster), `bookworm-security` (bullseye on, Ubuntu), or none (sid). */
export type SecurityLayout = 'slash-updates' | 'dash-security' | 'none';

export type SourcesFormat = 'one-line' | 'deb822';

export interface Release {
  distro: Distro;
  codename: string;
  version: string;
  status: ReleaseStatus;
  security: SecurityLayout;
  /** `<suite>-updates` exists where the release lives now. */
  updates: boolean;
  /** Every component the release publishes. */
  components: readonly string[];
  /** The package with the `ip` command: the container needs it to reach the network. */
  networkPackage: 'iproute' | 'iproute2';
  /** Upstart era: /sbin/initctl exists and is diverted to /bin/true inside containers. */
  upstart: boolean;
  /** The format the release's own installer writes for apt sources. */
  sourcesFormat: SourcesFormat;
  /** Where each fact above comes from. */
  sources: Readonly<Record<'release' | 'security' | 'components' | 'networkPackage' | 'upstart' | 'sourcesFormat', string>>;
}

const DEBIAN_RELEASES = 'https://www.debian.org/releases/';
const DEBIAN_WIKI_RELEASES = 'https://wiki.debian.org/DebianReleases';
const DEBIAN_ARCHIVE = 'https://www.debian.org/distrib/archive';
const DEBIAN_SECURITY_RENAME =
  'https://www.debian.org/releases/bullseye/amd64/release-notes/ch-information.en.html#security-archive';
const DEBIAN_FIRMWARE_SPLIT =
  'https://www.debian.org/releases/bookworm/amd64/release-notes/ch-information.en.html#non-free-split';
const DEBIAN_IPROUTE2 = 'https://tracker.debian.org/pkg/iproute2';
const DEBIAN_DEB822 = 'https://www.debian.org/releases/trixie/release-notes/upgrading.en.html#deb822';
const DEBIAN_INIT = 'https://wiki.debian.org/Debate/initsystem/upstart';
const DEBIAN_UPDATES_REMOVAL = 'https://lists.debian.org/debian-devel-announce/2019/03/msg00006.html';
const DEBIAN_SOURCES_LIST = 'https://wiki.debian.org/SourcesList';

const UBUNTU_RELEASES = 'https://wiki.ubuntu.com/Releases';
const UBUNTU_OLD_RELEASES = 'https://help.ubuntu.com/community/EOLUpgrades';
const UBUNTU_COMPONENTS = 'https://help.ubuntu.com/community/Repositories/Ubuntu';
const UBUNTU_IPROUTE2 = 'https://launchpad.net/ubuntu/+source/iproute2';
const UBUNTU_UPSTART = 'https://wiki.ubuntu.com/SystemdForUpstartUsers';
const UBUNTU_DEB822 = 'https://discourse.ubuntu.com/t/noble-numbat-release-notes/39890';
const UBUNTU_SECURITY = 'https://wiki.ubuntu.com/SecurityTeam/FAQ';

const DEBIAN_COMPONENTS = ['main', 'contrib', 'non-free'] as const;
const DEBIAN_COMPONENTS_FIRMWARE = ['main', 'contrib', 'non-free', 'non-free-firmware'] as const;
const UBUNTU_ALL_COMPONENTS = ['main', 'restricted', 'universe', 'multiverse'] as const;

function debian(
  codename: string,
  version: string,
  status: ReleaseStatus,
  era: { security: SecurityLayout; updates: boolean; firmware: boolean; iproute2: boolean; deb822: boolean },
): Release {
  return {
    distro: 'debian',
    codename,
    version,
    status,
    security: era.security,
    updates: era.updates,
    components: era.firmware ? DEBIAN_COMPONENTS_FIRMWARE : DEBIAN_COMPONENTS,
    networkPackage: era.iproute2 ? 'iproute2' : 'iproute',
    upstart: false,
    sourcesFormat: era.deb822 ? 'deb822' : 'one-line',
    sources: {
      release: status === 'archived' ? DEBIAN_ARCHIVE : status === 'development' ? DEBIAN_WIKI_RELEASES : DEBIAN_RELEASES,
      security: era.updates ? DEBIAN_SECURITY_RENAME : DEBIAN_UPDATES_REMOVAL,
      components: DEBIAN_FIRMWARE_SPLIT,
      networkPackage: DEBIAN_IPROUTE2,
      upstart: DEBIAN_INIT,
      sourcesFormat: era.deb822 ? DEBIAN_DEB822 : DEBIAN_SOURCES_LIST,
    },
  };
}

function ubuntu(
  codename: string,
  version: string,
  status: ReleaseStatus,
  era: { iproute2: boolean; upstart: boolean; deb822: boolean },
): Release {
  return {
    distro: 'ubuntu',
    codename,
    version,
    status,
    security: 'dash-security',
    updates: true,
    components: UBUNTU_ALL_COMPONENTS,
    networkPackage: era.iproute2 ? 'iproute2' : 'iproute',
    upstart: era.upstart,
    sourcesFormat: era.deb822 ? 'deb822' : 'one-line',
    sources: {
      release: status === 'archived' ? UBUNTU_OLD_RELEASES : UBUNTU_RELEASES,
      security: UBUNTU_SECURITY,
      components: UBUNTU_COMPONENTS,
      networkPackage: UBUNTU_IPROUTE2,
      upstart: UBUNTU_UPSTART,
      sourcesFormat: era.deb822 ? UBUNTU_DEB822 : UBUNTU_COMPONENTS,
    },
  };
}

const OLD = { security: 'slash-updates', iproute2: true, firmware: false, deb822: false } as const;
const MODERN = { security: 'dash-security', updates: true, iproute2: true, deb822: false } as const;

/** Oldest first, per distro. */
export const RELEASES: readonly Release[] = [
  // The archive keeps the release and its security suite; -updates was folded into
  // the last point release and not carried over for wheezy, jessie and stretch.
  debian('wheezy', '7', 'archived', { ...OLD, updates: false, iproute2: false }),
  debian('jessie', '8', 'archived', { ...OLD, updates: false }),
  debian('stretch', '9', 'archived', { ...OLD, updates: false }),
  debian('buster', '10', 'archived', { ...OLD, updates: true }),
  debian('bullseye', '11', 'ended', { ...MODERN, firmware: false }),
  debian('bookworm', '12', 'supported', { ...MODERN, firmware: true }),
  debian('trixie', '13', 'supported', { ...MODERN, firmware: true, deb822: true }),
  debian('forky', '14', 'development', { ...MODERN, firmware: true, deb822: true }),
  debian('sid', 'unstable', 'development', {
    security: 'none',
    updates: false,
    firmware: true,
    iproute2: true,
    deb822: true,
  }),

  ubuntu('precise', '12.04', 'archived', { iproute2: false, upstart: true, deb822: false }),
  ubuntu('trusty', '14.04', 'ended', { iproute2: true, upstart: true, deb822: false }),
  ubuntu('xenial', '16.04', 'ended', { iproute2: true, upstart: false, deb822: false }),
  ubuntu('bionic', '18.04', 'ended', { iproute2: true, upstart: false, deb822: false }),
  ubuntu('focal', '20.04', 'ended', { iproute2: true, upstart: false, deb822: false }),
  ubuntu('jammy', '22.04', 'supported', { iproute2: true, upstart: false, deb822: false }),
  ubuntu('noble', '24.04', 'supported', { iproute2: true, upstart: false, deb822: true }),
  ubuntu('resolute', '26.04', 'supported', { iproute2: true, upstart: false, deb822: true }),
];
