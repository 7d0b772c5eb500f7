// The architectures, in one place: the dpkg names a config may give (the model checks
// them against ARCHES), and what each is called by the other tools a build meets: the OCI
// platform (image configs, indexes, buildx `platforms`), Docker's TARGETARCH and
// TARGETVARIANT (which name the per-architecture tarballs, so one Dockerfile picks its
// own), and the qemu-user binfmt entry that runs its binaries on another host. Which
// distribution publishes which of them is a fact of the distribution (releases/distros.ts).

/** dpkg architecture names that Debian or Ubuntu publish. */
export const ARCHES = ['amd64', 'arm64', 'armel', 'armhf', 'i386', 'loong64', 'mips64el', 'mipsel', 'ppc64el', 'riscv64', 's390x'] as const;
export type Arch = (typeof ARCHES)[number];

export interface ArchFacts {
  /** GOARCH-style architecture of the OCI image spec. */
  ociArch: string;
  /** OCI platform variant, where the architecture has one that matters. */
  ociVariant?: string;
  /** The binfmt_misc entry qemu-user-static registers (/proc/sys/fs/binfmt_misc/<name>). */
  binfmt: string;
  /** Host architectures whose kernels run it without emulation. */
  nativeOn: readonly Arch[];
}

// Sources: OCI image-index spec (platform.architecture follows GOARCH, variant for
// ARM), and the binfmt names in qemu-user-static's /usr/share/binfmts.
export const ARCH_FACTS: Readonly<Record<Arch, ArchFacts>> = {
  amd64: { ociArch: 'amd64', binfmt: 'qemu-x86_64', nativeOn: ['amd64'] },
  arm64: { ociArch: 'arm64', binfmt: 'qemu-aarch64', nativeOn: ['arm64'] },
  armel: { ociArch: 'arm', ociVariant: 'v5', binfmt: 'qemu-arm', nativeOn: ['armel', 'armhf'] },
  armhf: { ociArch: 'arm', ociVariant: 'v7', binfmt: 'qemu-arm', nativeOn: ['armhf'] },
  i386: { ociArch: '386', binfmt: 'qemu-i386', nativeOn: ['i386', 'amd64'] },
  loong64: { ociArch: 'loong64', binfmt: 'qemu-loongarch64', nativeOn: ['loong64'] },
  mips64el: { ociArch: 'mips64le', binfmt: 'qemu-mips64el', nativeOn: ['mips64el'] },
  mipsel: { ociArch: 'mipsle', binfmt: 'qemu-mipsel', nativeOn: ['mipsel'] },
  ppc64el: { ociArch: 'ppc64le', binfmt: 'qemu-ppc64le', nativeOn: ['ppc64el'] },
  riscv64: { ociArch: 'riscv64', binfmt: 'qemu-riscv64', nativeOn: ['riscv64'] },
  s390x: { ociArch: 's390x', binfmt: 'qemu-s390x', nativeOn: ['s390x'] },
};

/** linux/arm/v7: what buildx `platforms` and OCI indexes say. */
export function platformOf(arch: Arch): string {
  const f = ARCH_FACTS[arch];
  return `linux/${f.ociArch}${f.ociVariant ? `/${f.ociVariant}` : ''}`;
}

/**
 * The name of an architecture in file names and per-architecture tags: Docker's
 * ${TARGETARCH}${TARGETVARIANT} (amd64, arm64, armv7, 386, ppc64le), so a Dockerfile
 * built for several platforms finds its own tarball without a shell.
 */
export function archToken(arch: Arch): string {
  const f = ARCH_FACTS[arch];
  return `${f.ociArch}${f.ociVariant ?? ''}`;
}
