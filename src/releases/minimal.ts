// What each minimal-image profile holds, per release: the packages whose files are
// unpacked into the image. The three profiles follow distroless's static, base and cc
// flavours (their public build files list these packages); the package names differ
// between releases (the 64-bit time_t rename gave libssl3t64), so they live here, one
// row per release, with the page that gives each name.
import type { Distro } from './table.js';

export const PROFILES = ['static', 'base', 'cc'] as const;
export type Profile = (typeof PROFILES)[number];

/** One package of a profile: its files go into the image, or only the ones listed. */
export interface ProfilePackage {
  name: string;
  /** Only these paths of the package (as its data.tar names them: ./etc/...); absent = every file. */
  only?: readonly string[];
}

/**
 * What a profile image never holds, even where an included package depends on it: the
 * package manager and its configuration front end, perl and the shells. A dependency on
 * one of them (tzdata's debconf, readline-common's "dpkg | install-info") is needed
 * only by maintainer scripts, which never run in the image, so the whole alternative
 * is left out.
 */
export const NEVER_IN_IMAGE = ['dpkg', 'apt', 'debconf', 'perl-base', 'perl', 'dash', 'bash'] as const;

interface ReleasePackages {
  distro: Distro;
  codename: string;
  libssl: string;
  /** What libcrypto links beside the C library (trixie's OpenSSL 3.5 is built with zlib and zstd). */
  libsslNeeds: readonly string[];
  /** Where the libssl name and its dependencies come from. */
  source: string;
}

const ROWS: readonly ReleasePackages[] = [
  { distro: 'debian', codename: 'bookworm', libssl: 'libssl3', libsslNeeds: [], source: 'https://packages.debian.org/bookworm/libssl3' },
  { distro: 'debian', codename: 'trixie', libssl: 'libssl3t64', libsslNeeds: ['zlib1g', 'libzstd1'], source: 'https://packages.debian.org/trixie/libssl3t64' },
  { distro: 'ubuntu', codename: 'noble', libssl: 'libssl3t64', libsslNeeds: [], source: 'https://packages.ubuntu.com/noble/libssl3t64' },
];

/**
 * Of openssl, its configuration and the links libssl finds the trust store through
 * (/usr/lib/ssl/cert.pem -> the CA bundle, certs -> /etc/ssl/certs); not the command.
 */
const OPENSSL_CONFIG = ['./etc/ssl/openssl.cnf', './usr/lib/ssl/cert.pem', './usr/lib/ssl/certs', './usr/lib/ssl/openssl.cnf'] as const;

/**
 * Of ca-certificates, only its copyright: the image holds the bundle minimal_rootfs joins
 * from the certificates (as update-ca-certificates joins them), not the certificates one
 * by one nor the command that joins them, as distroless's images hold it.
 */
const CA_CERTIFICATES_ONLY = ['./usr/share/doc/ca-certificates/copyright'] as const;

/** The releases a profile builds on, as `distro codename`, for errors. */
export const PROFILE_RELEASES: readonly string[] = ROWS.map((row) => `${row.distro} ${row.codename}`);

/**
 * static: os-release and the rest of base-files, /etc/services and friends (netbase),
 * the zone files (tzdata) and the CA bundle. base: static plus the C library,
 * libssl and openssl's configuration (its config file and trust store links; the
 * command stays out). cc: base plus the GCC runtime libraries C++ and OpenMP programs load.
 */
export function profilePackages(distro: Distro, codename: string, profile: Profile): ProfilePackage[] | undefined {
  const row = ROWS.find((r) => r.distro === distro && r.codename === codename);
  if (!row) return undefined;
  const staticPackages: ProfilePackage[] = [{ name: 'base-files' }, { name: 'netbase' }, { name: 'tzdata' }, { name: 'ca-certificates', only: CA_CERTIFICATES_ONLY }];
  const base: ProfilePackage[] = [...staticPackages, { name: 'libc6' }, { name: row.libssl }, ...row.libsslNeeds.map((name) => ({ name })), { name: 'openssl', only: OPENSSL_CONFIG }];
  const cc: ProfilePackage[] = [...base, { name: 'libgcc-s1' }, { name: 'libstdc++6' }, { name: 'libgomp1' }];
  return { static: staticPackages, base, cc }[profile];
}

/** The image's own accounts: root, nobody and nonroot (65532), as distroless has them; no login shell exists. */
export const NONROOT_UID = 65532;
export const PROFILE_PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  `nonroot:x:${NONROOT_UID}:${NONROOT_UID}:nonroot:/home/nonroot:/sbin/nologin`,
];
export const PROFILE_GROUP = ['root:x:0:', 'nogroup:x:65534:', `nonroot:x:${NONROOT_UID}:`];
