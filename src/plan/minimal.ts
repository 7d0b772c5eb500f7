// The steps of a minimal (profile) image: an mmdebstrap build side in the work dir, then
// the image's rootfs assembled from it in a fresh folder. Which packages, accounts and
// files are decided here; the templates only lay out the commands.
import { NONROOT_UID, PROFILE_GROUP, PROFILE_PASSWD } from '../releases/minimal.js';
import { commandLedger } from './commands.js';
import type { LedgerWriter } from './ledger-entry.js';
import type { Resolved } from './resolve.js';
import { packed, proxyEnv, withCache } from './shell-steps.js';
import type { StepSpec } from './steps.js';

const lines = (items: readonly string[]) => items.map((line) => `${line}\n`).join('');

/** The image's CA bundle: written on the build side by ca-certificates' update-ca-certificates. */
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export function minimalSteps(r: Resolved): StepSpec[] {
  const profile = r.profile!;
  const s = r.settings;
  const build = {
    noValidUntil: r.noValidUntil.build,
  };
  const rootfs = {
    packages: profile.packages.map((p) => ({ name: p.name, only: p.only ?? [] })),
    caBundle: CA_BUNDLE,
    passwd: lines(PROFILE_PASSWD),
    group: lines(PROFILE_GROUP),
    uid: String(NONROOT_UID),
    reproducible: s.reproducible,
  };
  const buildLedger = (out: LedgerWriter) => {
    const { vars, arrays, maps } = out.plan;
    const W = out.workDir;
    const args = ['--mode=root', '--format=directory', '--variant=essential', `--arch=${out.arch}`, `--keyring=${vars.KEYRING}`];
    args.push(`--components=${s.components.join(',')}`, `--hook-dir=${vars.MERGED_USR_HOOK}`, `--include=${arrays.INCLUDE!.join(',')}`);
    args.push('--skip=essential/unlink', '--skip=cleanup/apt');
    if (out.inBuildkit) args.push('--skip=chroot/mount');
    if (build.noValidUntil) args.push('--aptopt=Acquire::Check-Valid-Until "false"');
    out.add('create', 'mkdir -p $PACKAGE_CACHE', withCache);
    out.host('env', ...proxyEnv(r), `TMPDIR=${W}/tmp`, 'mmdebstrap', ...args, s.suite, `${W}/build-${out.arch}`, ...maps.APT_LINES![out.arch]!.split('\n'));
    out.add('fetch', r.builds.find((b) => b.arch === out.arch)!.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), { shown: false });
    out.add('read', out.symbolic(`compare the Release files in ${W}/build-${out.arch}/var/lib/apt/lists with ${W}/tmp/release-files`));
  };
  const rootfsLedger = (out: LedgerWriter) => {
    const W = out.workDir;
    const O = out.outputDir;
    const image = out.rootfs;
    const side = `${W}/build-${out.arch}`;
    out.host('mkdir', '-p', image, `${W}/dpkg-${out.arch}`);
    out.host('minimal_usr_links', side, image);
    for (const p of rootfs.packages) out.host('minimal_unpack', side, image, p.name, ...p.only);
    out.host('minimal_prune', image);
    // The CA bundle: made on the build side by update-ca-certificates.
    out.add('image-file', out.line(['install', '-D', '-m', '0644', `${side}${rootfs.caBundle}`, `${image}${rootfs.caBundle}`]), { sha256: null });
    commandLedger(
      [
        { kind: 'write', path: '/etc/passwd', mode: '0644', content: rootfs.passwd },
        { kind: 'write', path: '/etc/group', mode: '0644', content: rootfs.group },
      ],
      out,
    );
    out.host('install', '-d', '-m', '0700', '-o', rootfs.uid, '-g', rootfs.uid, `${image}/home/nonroot`);
    out.host('install', '-d', '-m', '1777', `${image}/tmp`);
    out.host('minimal_status_db', image, `${W}/dpkg-${out.arch}/status`);
    out.add('read', out.symbolic(`read the release version from ${image}${out.plan.vars.VERSION_FILE}`));
    out.host('mkdir', '-p', O);
    const tar = ['tar', '--numeric-owner', '--one-file-system', '-C', image];
    if (rootfs.reproducible) {
      tar.push('--sort=name', `--mtime=@${r.epoch === null ? '<newest Release date>' : String(r.epoch)}`, '--clamp-mtime', '--format=posix');
      tar.push('--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime');
    }
    out.host(...tar, '-c', '.');
    packed(out);
  };
  return [
    {
      fn: 'minimal_build',
      title: `mmdebstrap ${s.suite} (build side)`,
      template: 'minimal_build',
      data: build,
      ledger: buildLedger,
      globals: { reads: [], sets: [] },
    },
    {
      fn: 'minimal_rootfs',
      title: `${profile.name} image`,
      template: 'minimal_rootfs',
      data: rootfs,
      ledger: rootfsLedger,
      globals: { reads: [], sets: ['PACKAGES_DB', 'RELEASE_VERSION', 'TMP_TARBALL'] },
    },
  ];
}
