// Facts that hold for a whole distribution rather than one release.
import type { Arch } from '../model/formats.js';
import type { Distro } from './table.js';

export interface DistroFacts {
  /** Components a config gets when it names none: the seed adds universe on Ubuntu. */
  defaultComponents: readonly string[];
  /**
   * Ubuntu mirrors carry the -security pocket, so the mirror serves it too (as in the seed);
   * Debian's security archive is a separate tree that a config names (securityMirror).
   */
  securityOnMirror: boolean;
  /** Where archived releases keep their security suite, where the mirror does not. */
  archivedSecurityMirror: string | null;
  /** The keyring debootstrap checks Release files with, on a Debian build host, and its package. */
  hostKeyring: string;
  /** Keys retired from the keyring above, still needed to check archived releases. */
  hostArchivedKeyring: string;
  hostKeyringPackage: string;
  /** The keyring inside the image that deb822 sources point Signed-By at. */
  imageKeyring: string;
  /** debootstrap script that builds codenames the host's debootstrap does not know yet. */
  debootstrapFallbackScript: string;
  /** Debian installs locales with debconf answers; Ubuntu generates them with locale-gen. */
  localeMethod: 'debconf' | 'locale-gen';
  /**
   * eatmydata and libeatmydata1 are in main of every release mmdebstrap builds (what
   * mmdebstrap's eatmydata hook downloads). Debian: since jessie. Ubuntu: not trusty,
   * whose eatmydata has no libeatmydata1, so not used there.
   */
  eatmydata: boolean;
  /** deb822 file name under /etc/apt/sources.list.d. */
  deb822File: string;
  /** Which of the distro's releases the table holds, for errors about the others. */
  tableCovers: string;
  /** dpkg architectures the distribution publishes (current releases). */
  arches: readonly Arch[];
  /** Those that live in a separate ports archive rather than on the main mirror. */
  portsArches: readonly Arch[];
}

export const DISTROS: Readonly<Record<Distro, DistroFacts>> = {
  debian: {
    defaultComponents: ['main'],
    securityOnMirror: false,
    archivedSecurityMirror: 'http://archive.debian.org/debian-security',
    hostKeyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
    hostArchivedKeyring: '/usr/share/keyrings/debian-archive-removed-keys.gpg',
    hostKeyringPackage: 'debian-archive-keyring',
    imageKeyring: '/usr/share/keyrings/debian-archive-keyring.gpg',
    debootstrapFallbackScript: 'sid',
    localeMethod: 'debconf',
    eatmydata: true,
    deb822File: 'debian.sources',
    tableCovers: 'every release from wheezy on, testing and sid',
    // https://www.debian.org/ports/ (release architectures of bookworm and trixie, and older ones)
    arches: ['amd64', 'arm64', 'armel', 'armhf', 'i386', 'loong64', 'mips64el', 'mipsel', 'ppc64el', 'riscv64', 's390x'],
    portsArches: [],
  },
  ubuntu: {
    defaultComponents: ['main', 'universe'],
    securityOnMirror: true,
    archivedSecurityMirror: null,
    hostKeyring: '/usr/share/keyrings/ubuntu-archive-keyring.gpg',
    // Releases on old-releases are signed with keys this keyring still holds.
    hostArchivedKeyring: '/usr/share/keyrings/ubuntu-archive-keyring.gpg',
    hostKeyringPackage: 'ubuntu-keyring',
    imageKeyring: '/usr/share/keyrings/ubuntu-archive-keyring.gpg',
    debootstrapFallbackScript: 'gutsy',
    localeMethod: 'locale-gen',
    eatmydata: false,
    deb822File: 'ubuntu.sources',
    tableCovers: 'LTS releases only (interim releases are not in the table)',
    // https://wiki.ubuntu.com/Releases and the ubuntu-ports tree: amd64 and i386 on the
    // archive, the rest on ports.
    arches: ['amd64', 'i386', 'arm64', 'armhf', 'ppc64el', 'riscv64', 's390x'],
    portsArches: ['arm64', 'armhf', 'ppc64el', 'riscv64', 's390x'],
  },
};
