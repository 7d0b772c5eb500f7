// The steps whose shell cannot be a command list (a loop over files only the build
// knows, mmdebstrap's call with its hooks, the records, the import, the OCI layout):
// each keeps its template under templates/steps/, and declares here, beside its plan
// entry, its part of the root ledger as a function of the architecture being built.
import type { Settings } from '../model/index.js';
import { repositoryKeyrings } from './additions.js';
import { OCI } from './dockerfiles.js';
import type { LedgerWriter } from './ledger-entry.js';
import type { Resolved } from './resolve.js';
import { planSlim } from './slim.js';
import type { StepCall, StepSpec } from './steps.js';
import { ref } from './commands.js';
import { cacheFolderLedger, debootstrapOptions, mmdebstrapDownloads, mmdebstrapOptions, optionLines, optionWords, tarOptions } from './tool-options.js';

/** mmdebstrap's dpkg runs under eatmydata (its hook needs dpkg-architecture on the host): see mmdebstrap_build. */
export const usesEatmydata = (r: Resolved) => r.settings.backend === 'mmdebstrap' && r.distro.eatmydata && r.profile === null;

const DEBOOTSTRAP_SCRIPTS = '/usr/share/debootstrap/scripts/';

export const proxyEnv = (r: Resolved) => (r.settings.proxy ? [`http_proxy=${r.settings.proxy}`, `https_proxy=${r.settings.proxy}`] : []);
const tarballOf = (out: LedgerWriter) => out.plan.maps.TARBALLS![out.arch]!;
const recordsOf = (out: LedgerWriter) => out.plan.maps.RECORD_FILES![out.arch]!.split('\n');

/** pack_to: the tar stream through the compressor into the tarball's temporary name. */
export function packed(out: LedgerWriter) {
  const compressor = out.plan.arrays.COMPRESSOR!;
  if (compressor.length > 0) out.add('run', out.line(['|', ...compressor]));
  out.add('write', out.symbolic(`> ${out.outputDir}/.partial-${tarballOf(out)}`));
}

/** The Release files the build reads, fetched and checked before it (release_date). */
export function releaseDateStep(r: Resolved): StepSpec {
  // The Release files are always read: the build record lists their dates and checksums.
  const epochFromRelease = r.settings.reproducible && r.epoch === null;
  const keys = repositoryKeyrings(r);
  return {
    fn: 'release_date',
    title: epochFromRelease ? 'release files (SOURCE_DATE_EPOCH)' : 'release files',
    template: 'release_date',
    globals: { reads: [], sets: ['RELEASE_EPOCH'] },
    data: { epochFromRelease, keys },
    once: true,
    ledger: (out) => {
      const W = out.workDir;
      for (const key of keys) out.add('write', out.symbolic(`unpack ${W}/${key.file} (sha256 ${key.blob.sha256})`));
      const dists = out.plan.arrays.RELEASE_DISTS!;
      const helper = [out.plan.vars.APT_HELPER!, '-o', 'APT::Sandbox::User=root', 'download-file'];
      const file = (i: number) => `${W}/InRelease-${i}`;
      out.host('env', ...proxyEnv(r), ...helper, ...dists.flatMap((dist, i) => [`${dist}/InRelease`, file(i)]));
      dists.forEach((dist) => out.add('fetch', `${dist}/InRelease`, { shown: false }));
      out.add('run', out.line(['env', ...proxyEnv(r), ...helper, '<dist>/Release', `${W}/Release-<i>`, '<dist>/Release.gpg', `${W}/Release-<i>.gpg`]), {
        when: 'for each archive without InRelease',
      });
      dists.forEach((_dist, i) => {
        const named = out.plan.arrays.RELEASE_KEYRINGS![i];
        const keyring = named ? `${W}/keyring-${named}.gpg` : out.plan.vars.KEYRING!;
        out.host('gpgv', '--status-fd', '1', '--ignore-time-conflict', '--keyring', keyring, '--output', `${file(i)}.signed`, file(i));
      });
      out.add('write', out.symbolic(`write ${W}/tmp/release-files`));
    },
  };
}

/** The bootstrap: debootstrap into the rootfs, or mmdebstrap's whole build with the script called back at its hook stages. */
export function buildStep(r: Resolved, stages: Record<string, StepCall[]> | null, include: readonly string[]): StepSpec {
  const s = r.settings;
  if (stages === null) {
    const options = debootstrapOptions(r, include);
    return {
      fn: 'bootstrap',
      title: `debootstrap ${s.suite}`,
      template: 'bootstrap',
      globals: { reads: [], sets: [] },
      data: { options: optionLines(options) },
      ledger: (out) => {
        cacheFolderLedger(options, out);
        const mirror = out.expand([ref('MIRROR')]);
        out.host('env', ...proxyEnv(r), 'DPKG_FORCE=unsafe-io', 'debootstrap', ...optionWords(options, out), s.suite, out.rootfs, mirror, `${DEBOOTSTRAP_SCRIPTS}${s.suite}`);
        out.add('fetch', `${mirror}/dists/${s.suite}/ and the packages of the variant`, { shown: false });
        out.listsRead();
        for (const words of CHROOT_MOUNTS) out.add('mount', out.line(['mount', ...words.slice(0, -1), `${out.rootfs}${words.at(-1)}`]));
      },
    };
  }
  const options = mmdebstrapOptions(include, { eatmydata: usesEatmydata(r), noValidUntil: r.noValidUntil.build, keepPolicyRcD: s.tweaks.policyRcD });
  const downloads = mmdebstrapDownloads();
  return {
    fn: 'mmdebstrap_build',
    title: `mmdebstrap ${s.suite}`,
    template: 'mmdebstrap_build',
    globals: { reads: [], sets: ['TMP_TARBALL', 'RELEASE_VERSION', 'PACKAGES_DB'] },
    data: { options: optionLines(options), downloads: optionLines(downloads), stages },
    ledger: (out) => {
      const W = out.workDir;
      cacheFolderLedger(options, out);
      const hookScript = `${W}/mkimage.sh`;
      out.add('write', out.symbolic(`install -m 0755 <this script> ${hookScript}`));
      if (s.mode === 'unshare') out.host('chmod', '0755', W);
      const hooks = ['setup', 'essential', 'customize'].map((stage) => `--${stage}-hook='${hookScript}' --hook ${stage} --arch ${out.arch} "$1"`);
      out.host('mkdir', '-p', `${W}/dpkg-${out.arch}`);
      out.host('mkdir', '-p', out.outputDir);
      const args = [...optionWords(options, out), ...hooks, ...optionWords(downloads, out)];
      out.host('env', ...proxyEnv(r), `TMPDIR=${W}/tmp`, 'mmdebstrap', ...args, s.suite, '-', ...out.plan.maps.APT_LINES![out.arch]!.split('\n'));
      out.add('fetch', r.builds.find((b) => b.arch === out.arch)!.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), { shown: false });
      packed(out);
    },
  };
}

/** /proc, /sys and /dev/pts in the rootfs, as mount_chroot_fs mounts them (the last word: the mount point). */
const CHROOT_MOUNTS = [
  ['-t', 'proc', 'proc', '/proc'],
  ['-t', 'sysfs', 'sysfs', '/sys'],
  ['-t', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=0620', 'devpts', '/dev/pts'],
];

/** debootstrap's rootfs packed into the tarball. */
export function tarballStep(r: Resolved): StepSpec {
  const tar = tarOptions(r.settings.reproducible);
  return {
    fn: 'tarball',
    title: 'tarball',
    template: 'tarball',
    globals: { reads: [], sets: ['RELEASE_VERSION', 'TMP_TARBALL', 'PACKAGES_DB'] },
    data: { reproducible: r.settings.reproducible, tar: optionLines(tar) },
    ledger: (out) => {
      for (const fs of ['/dev/pts', '/sys', '/proc']) out.add('unmount', out.line(['umount', `${out.rootfs}${fs}`]));
      out.add('read', out.symbolic(`read the release version from ${out.rootfs}${out.plan.vars.VERSION_FILE}`));
      out.host('mkdir', '-p', out.outputDir);
      out.host('tar', ...optionWords(tar, out), '-c', '.');
      packed(out);
    },
  };
}

/**
 * What the records read of each package from the image's dpkg database, in dpkg-query's
 * own ${Field} syntax: name, version, architecture, source, status, provides,
 * pre-depends, depends (the runtime's read_packages takes them in this order).
 */
const PACKAGE_FIELDS = '${Package};${Version};${Architecture};${Source};${Status};${Provides};${Pre-Depends};${Depends}\\n';

/** The records of each architecture's build, then the tarball and its records published together. */
export function publishSteps(r: Resolved): StepSpec[] {
  const s = r.settings;
  return [
    {
      fn: 'records',
      title: 'manifest, SBOMs, build record, provenance',
      template: 'records',
    globals: { reads: ['PACKAGES_DB', 'TMP_TARBALL', 'RELEASE_VERSION', 'RELEASE_EPOCH'], sets: ['TARBALL_SHA', 'RELEASE_TAGS', 'BUILD_CREATED', 'BUILD_VARS'] },
      data: { fields: PACKAGE_FIELDS },
      ledger: (out) => {
        const O = out.outputDir;
        const db = s.backend === 'mmdebstrap' ? `${out.workDir}/dpkg-${out.arch}` : `${out.rootfs}/var/lib/dpkg`;
        out.host('dpkg-query', `--admindir=${db}`, '-W', '-f', PACKAGE_FIELDS);
        for (const name of recordsOf(out)) out.add('write', out.symbolic(`write ${O}/.partial-${name}`));
        const expected = out.plan.maps.EXPECTS![out.arch];
        if (expected) out.host('diff', '-u', `${out.scriptDir}/${expected}`, `${O}/.partial-${recordsOf(out)[0]}`);
      },
    },
    {
      fn: 'publish',
      title: 'publish',
      template: 'publish',
    globals: { reads: ['TARBALL_SHA', 'BUILD_VARS'], sets: ['TMP_TARBALL', 'MADE_FILES'] },
      data: {},
      ledger: (out) => {
        const O = out.outputDir;
        const tarball = tarballOf(out);
        out.add('write', out.symbolic(`write ${O}/.partial-${tarball}.sha256`));
        for (const name of [...recordsOf(out), `${tarball}.sha256`, tarball]) out.host('mv', '-f', `${O}/.partial-${name}`, `${O}/${name}`);
        out.add('write', out.symbolic(`write ${O}/${out.plan.vars.BUILD_VARS_FILE}`));
      },
    },
  ];
}

function podmanPlatform(platform: string): string[] {
  const [os, arch, variant] = platform.split('/');
  return ['--os', os!, '--arch', arch!, ...(variant ? ['--variant', variant] : [])];
}

/**
 * The engine's import: one image per architecture. Several architectures get their
 * per-architecture tags, and podman a manifest list under the plain tags (docker's
 * manifest lists live only in a registry: `docker buildx bake` makes that image).
 * Then the OCI layout, where the config asks for one.
 */
/**
 * The tags made from what the build reads, as a dry run names them: <version>, and the
 * day of SOURCE_DATE_EPOCH where it is known. A dry run reads no version: its major
 * number is the version itself, so it makes no tag.
 */
export function dryRunReleaseTags(r: Resolved, out: LedgerWriter): string[] {
  const known = r.epoch === null ? null : new Date(r.epoch * 1000).toISOString();
  const day = known === null ? '<date>' : known.slice(0, 10).replaceAll('-', '');
  return out.plan.arrays.RELEASE_TAG_FORMS!.filter((form) => !form.includes('<major>')).map((form) => form.replace('<date>', day));
}

export function importSteps(r: Resolved, changes: string[][] | null, oci: object | null): StepSpec[] {
  const s = r.settings;
  const steps: StepSpec[] = [];
  if (changes !== null) {
    const engine = s.output.import;
    const data = {
      several: r.builds.length > 1,
      manifestList: r.builds.length > 1 && engine === 'podman',
      // docker import --platform; podman import --os --arch --variant; each image's own --change arguments.
      platforms: r.builds.map((b, i) => ({ arch: b.arch, args: engine === 'podman' ? podmanPlatform(b.platform) : ['--platform', b.platform], changes: changes[i]! })),
      createdLabel: `${OCI}.created`,
      versionLabel: `${OCI}.version`,
    };
    steps.push({
      fn: 'import_image',
      title: `${engine} import`,
      template: 'import_image',
    globals: { reads: ['RELEASE_VERSION', 'RELEASE_TAGS', 'BUILD_CREATED'], sets: ['MADE_TAGS'] },
      data,
      once: true,
      ledger: (out) => {
        const { vars, arrays, maps } = out.plan;
        const O = out.outputDir;
        // What the build reads: the release version (a dry run says <version>) and the day of SOURCE_DATE_EPOCH.
        const known = r.epoch === null ? null : new Date(r.epoch * 1000).toISOString();
        const created = known === null ? '<created>' : known.replace(/\.\d{3}Z$/, 'Z');
        const labels = ['--change', `LABEL ${data.createdLabel}=${created}`, '--change', `LABEL ${data.versionLabel}=<version>`];
        const tags = [...arrays.TAGS!, ...dryRunReleaseTags(r, out)];
        const engineCmd = vars.ENGINE!;
        for (const platform of data.platforms) {
          const suffix = maps.ARCH_TAGS![platform.arch]!;
          const first = `${vars.IMAGE}:${tags[0]}${suffix}`;
          out.host(engineCmd, 'import', ...platform.changes, ...labels, ...platform.args, `${O}/${maps.TARBALLS![platform.arch]}`, first);
          for (const tag of tags.slice(1)) out.host(engineCmd, 'tag', first, `${vars.IMAGE}:${tag}${suffix}`);
        }
        if (data.manifestList) {
          for (const tag of tags) {
            out.host(engineCmd, 'manifest', 'create', `${vars.IMAGE}:${tag}`);
            for (const platform of data.platforms) {
              out.host(engineCmd, 'manifest', 'add', `${vars.IMAGE}:${tag}`, `containers-storage:${vars.IMAGE}:${tag}${maps.ARCH_TAGS![platform.arch]}`);
            }
          }
        }
      },
    });
  }
  if (oci !== null) {
    const data = oci as { images: { arch: string }[]; several: boolean; archive: string; layoutDir: string };
    steps.push({
      fn: 'oci_image',
      title: 'OCI image layout',
      template: 'oci_image',
    globals: { reads: ['RELEASE_VERSION', 'RELEASE_TAGS'], sets: ['TMP_TARBALL', 'MADE_FILES'] },
      data: oci,
      once: true,
      ledger: (out) => {
        const W = out.workDir;
        const O = out.outputDir;
        const layout = `${W}/oci`;
        const blobs = `${layout}/blobs/sha256`;
        const blob = () => {
          out.add('write', out.symbolic(`write ${blobs}/blob.tmp`));
          out.host('mv', '-f', `${blobs}/blob.tmp`, `${blobs}/<sha256 of blob.tmp>`);
        };
        out.host('mkdir', '-p', blobs);
        const compressor = out.plan.arrays.COMPRESSOR!;
        for (const image of data.images) {
          const unpack = compressor.length > 0 ? [compressor[0]!, '-dc'] : ['cat'];
          out.host(...unpack, `${O}/${out.plan.maps.TARBALLS![image.arch]}`);
          out.add('write', out.symbolic(`> ${W}/layer.tar`));
          out.host('gzip', '-n', '-6', '-c', `${W}/layer.tar`);
          out.add('write', out.symbolic(`> ${blobs}/layer.tmp`));
          out.host('mv', '-f', `${blobs}/layer.tmp`, `${blobs}/<sha256 of layer.tmp>`);
          out.host('rm', '-f', `${W}/layer.tar`);
          blob();
          blob();
        }
        if (data.several) blob();
        for (const file of ['index.json', 'oci-layout', 'manifest.json']) out.add('write', out.symbolic(`write ${layout}/${file}`));
        out.host('mkdir', '-p', O);
        const archive = `${O}/${data.archive}`;
        const partial = `${O}/.partial-${data.archive}`;
        out.host('tar', '--sort=name', '--format=ustar', '--numeric-owner', '--owner=0', '--group=0', '--mode=go-w', '--mtime=<SOURCE_DATE_EPOCH in RFC 3339>', '-C', layout, '-c', '-f', '-', 'blobs', 'index.json', 'manifest.json', 'oci-layout');
        out.add('write', out.symbolic(`> ${partial}`));
        const final = `${O}/${data.layoutDir}`;
        out.host('rm', '-rf', `${final}.old`);
        out.add('run', out.line(['mv', '-f', final, `${final}.old`]), { when: 'if an earlier layout is there' });
        out.host('mv', layout, final);
        out.host('mv', '-f', partial, archive);
        out.host('rm', '-rf', `${final}.old`);
      },
    });
  }
  return steps;
}

/** slim: dpkg's rules for later installs, and the same rules applied to what is unpacked now. */
export function slimStep(s: Settings): StepSpec | null {
  const slim = planSlim(s);
  if (!slim) return null;
  return {
    fn: 'slim',
    title: 'slim',
    template: 'slim',
    globals: { reads: [], sets: [] },
    data: slim,
    ledger: (out) => {
      const rootfs = out.rootfs;
      // The rules name the locale sources and converters the build finds.
      out.add('image-file', out.symbolic(`write ${rootfs}${slim.rules.path} (mode ${slim.rules.mode})`), { sha256: null });
      out.host('find', `${rootfs}/usr/share/doc`, '-mindepth', '1', '!', '-type', 'd', '!', '-name', 'copyright', '-delete');
      out.host('find', `${rootfs}/usr/share/doc`, '-mindepth', '1', '-type', 'd', '-empty', '-delete');
      // Identical files become hard links to one of them, inside the rootfs.
      out.host('slim_link_identical', slim.linkIdentical.dir, slim.linkIdentical.name);
      for (const dir of slim.droppedDirs) out.add('run', out.line(['find', `${rootfs}${dir}`, '-mindepth', '1', '-delete']), { when: 'if it exists' });
      const keep = slim.keptLocaleEntries.flatMap((e) => ['!', '-name', e]);
      out.host('find', `${rootfs}/usr/share/locale`, '-mindepth', '1', '-maxdepth', '1', ...keep, '-exec', 'rm', '-rf', '{}', '+');
    },
  };
}
