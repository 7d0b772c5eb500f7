// The steps of a minimal (profile) image: an mmdebstrap build side in the work dir that
// only downloads and extracts the profile's packages and what they depend on (no dpkg
// run, no maintainer scripts), then the image's rootfs assembled from it in a fresh
// folder. Which packages, arguments, accounts and files are decided here; the templates
// only lay out the commands, and the ledger part takes the same argument lists.
import { NEVER_IN_IMAGE, NONROOT_UID, PROFILE_GROUP, PROFILE_PASSWD, profilePackages } from '../releases/minimal.js';
import { commandLedger, joined, ref, type Word } from './commands.js';
import type { LedgerWriter } from './ledger-entry.js';
import type { Resolved } from './resolve.js';
import { packed, proxyEnv } from './shell-steps.js';
import type { StepSpec } from './steps.js';
import { cacheFolderLedger, MMDEBSTRAP_ARCHIVE, optionLines, optionWords, tarOptions, type ToolOption } from './tool-options.js';

const lines = (items: readonly string[]) => items.map((line) => `${line}\n`).join('');

/** The image's CA bundle: joined by minimal_ca_bundle from ca-certificates' files, as update-ca-certificates joins them. */
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Where in the build side the extract hook lists the .debs mmdebstrap extracted (one path a line, as apt chose them). */
export const EXTRACTED_DEBS = '/extracted-debs';

/**
 * mmdebstrap's options for the build side. The extract variant downloads the --include
 * packages and their dependencies (apt-get install) and extracts them, nothing more: no
 * dpkg, no maintainer scripts, no essential set.
 */
export function minimalBuildOptions(r: Resolved): ToolOption[] {
  const options: ToolOption[] = [
    {
      words: [
        '--mode=root',
        '--format=directory',
        '--variant=extract',
        ...MMDEBSTRAP_ARCHIVE,
        ['--include=', joined('INCLUDE')],
        '--skip=cleanup/apt',
      ],
    },
    {
      words: [`--extract-hook=printf '%s\\n' $MMDEBSTRAP_ESSENTIAL > "$1${EXTRACTED_DEBS}"`],
      why: ["The .debs it extracted, as apt chose them: minimal_rootfs takes each package's files and status from them."],
      lint: "SC2016 # mmdebstrap's hook shell expands them",
    },
    { words: ['--skip=chroot/mount'], when: 'buildkit', why: ['In a build container (--buildkit) nothing may be mounted: mmdebstrap leaves /proc and /sys alone.'] },
  ];
  if (r.noValidUntil.build) {
    options.push({ words: ['--aptopt=Acquire::Check-Valid-Until "false"'], why: ['The Release files are old on purpose (a snapshot): no Valid-Until check.'] });
  }
  options.push({
    words: [
      '--setup-hook=mkdir -p "$1/var/cache/apt/archives"',
      ['--setup-hook=sync-in ', ref('PACKAGE_CACHE'), ' /var/cache/apt/archives/'],
      ['--extract-hook=sync-out /var/cache/apt/archives ', ref('PACKAGE_CACHE')],
    ],
    when: 'package-cache',
    why: ["--package-cache: the .debs of earlier builds go in before apt downloads; this build's come back out."],
    lint: "SC2016 # mmdebstrap's shell expands \"$1\", the rootfs",
  });
  return options;
}

export function minimalSteps(r: Resolved): StepSpec[] {
  const profile = r.profile!;
  const s = r.settings;
  // The profile's own packages come as chosen; the config's include with what they depend on.
  const own = new Set((profilePackages(s.distro, s.suite, profile.name) ?? []).map((p) => p.name));
  const options = minimalBuildOptions(r);
  const tar = tarOptions(s.reproducible);
  const rootfs = {
    unpack: profile.packages.filter((p) => own.has(p.name)).map((p): Word[] => [p.name, ...(p.only ?? [])]),
    /** The config's include: unpacked with their dependencies, found at run time in the .debs apt chose. */
    include: profile.packages.filter((p) => !own.has(p.name)).map((p): Word => p.name),
    never: NEVER_IN_IMAGE,
    caBundle: CA_BUNDLE,
    extracted: EXTRACTED_DEBS,
    passwd: lines(PROFILE_PASSWD),
    group: lines(PROFILE_GROUP),
    uid: String(NONROOT_UID),
    tar: optionLines(tar),
  };
  const buildLedger = (out: LedgerWriter) => {
    const W = out.workDir;
    cacheFolderLedger(options, out);
    out.host('env', ...proxyEnv(r), `TMPDIR=${W}/tmp`, 'mmdebstrap', ...optionWords(options, out), s.suite, `${W}/build-${out.arch}`, ...out.plan.maps.APT_LINES![out.arch]!.split('\n'));
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
    out.add('read', out.symbolic(`the .debs listed in ${side}${rootfs.extracted}`), { shown: false });
    for (const words of rootfs.unpack) out.host('minimal_unpack', side, image, ...words);
    if (rootfs.include.length > 0) out.host('minimal_unpack_depends', side, image, ...rootfs.include);
    out.host('minimal_prune', image);
    // The CA bundle: joined from the certificates ca-certificates' .deb gave the build side.
    out.add('image-file', out.line(['minimal_ca_bundle', side, `${image}${rootfs.caBundle}`]), { sha256: null });
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
    out.host('tar', ...optionWords(tar, out), '-c', '.');
    packed(out);
  };
  return [
    {
      fn: 'minimal_build',
      title: `mmdebstrap ${s.suite} (build side)`,
      template: 'minimal_build',
      data: { options: optionLines(options) },
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
