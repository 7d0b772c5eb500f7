// The root ledger: everything the generated script does as root, in the order it does
// it, worked out from the plan alone — every command on the host and in the chroot,
// every mount, every host path it creates, writes or removes, every URL it fetches,
// every file it writes into the image (with the sha256 of what it writes). A test runs
// the script's --dry-run and proves the two agree line by line.
import { createHash } from 'node:crypto';
import type { Resolved } from './resolve.js';
import type { ScriptPlan } from './script.js';
import type { StepPlan } from './steps.js';
import { OCI_ARCHIVE, OCI_LAYOUT_DIR } from '../layout.js';

export type LedgerKind = 'run' | 'chroot' | 'mount' | 'unmount' | 'fetch' | 'create' | 'write' | 'remove' | 'read' | 'image-file';

export interface LedgerEntry {
  /** The step's function, or `main` for what the script does around its steps. */
  step: string;
  kind: LedgerKind;
  /** The command line (as --dry-run prints it, with $WORK_DIR, $ROOTFS, $OUTPUT_DIR, $SCRIPT_DIR), path or URL. */
  what: string;
  /** image-file: sha256 of the content written; null where the build works it out. */
  sha256?: string | null;
  /** Only under some condition (a file that exists, an option): a dry run may not show it. */
  when?: string;
  /** Does --dry-run print this entry as a `+` line? Downloads and the work dir are done, not printed. */
  shown: boolean;
}

/** Stand-ins a dry run with `--work-dir /W --output-dir /O` prints, and the names the ledger gives them. */
export const DRY_RUN_STAND_INS = {
  workDir: '/W/mkimage.XXXXXXXXXX',
  outputDir: '/O',
  scriptDir: '/S',
  resultCache: '/C',
  hookRootfs: '<mmdebstrap rootfs>',
} as const;

/** A word as the script's `show` prints it: plain words bare, others as bash's ${word@Q} would. */
export function showWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return bashQ(word);
}

function bashQ(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Stand-ins -> the ledger's names; applied to the ledger's own lines and to a dry run's alike. */
export function symbolic(line: string): string {
  const s = DRY_RUN_STAND_INS;
  return line
    .replace(new RegExp(`${s.workDir.replaceAll('.', '\\.')}/rootfs(-[a-z0-9]+)?`, 'g'), '$ROOTFS')
    .replaceAll(s.hookRootfs, '$ROOTFS')
    .replaceAll(s.workDir, '$WORK_DIR')
    .replace(/(^|[ '=])\/S\//g, '$1$SCRIPT_DIR/')
    .replace(/(^|[ '=])\/O(?=[/ ']|$)/g, '$1$OUTPUT_DIR')
    .replace(/(^|[ '=])\/C(?=[/ ']|$)/g, '$1$RESULT_CACHE');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const APT_OPTIONS = ['-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
const DEBOOTSTRAP_SCRIPTS = '/usr/share/debootstrap/scripts/';

interface ImageFileData {
  path: string;
  mode: string;
  content: string;
}

/** The ledger of one script, in the order it runs: each architecture's steps in turn. */
export function rootLedger(plan: ScriptPlan, r: Resolved): LedgerEntry[] {
  const vars = Object.fromEntries(plan.variables.map((v) => [v.name, v.value]));
  const arrays = Object.fromEntries(plan.arrays.map((a) => [a.name, a.values]));
  const maps = Object.fromEntries(plan.maps.map((m) => [m.name, Object.fromEntries(m.entries.map((e) => [e.key, e.value]))]));
  const s = r.settings;
  const W = DRY_RUN_STAND_INS.workDir;
  const O = DRY_RUN_STAND_INS.outputDir;
  const S = DRY_RUN_STAND_INS.scriptDir;
  const proxyEnv = s.proxy ? [`http_proxy=${s.proxy}`, `https_proxy=${s.proxy}`] : [];
  const out: LedgerEntry[] = [];
  let step = 'main';
  let arch = s.arch[0]!;
  let rootfs = `${W}/rootfs`;
  const tarball = () => maps.TARBALLS![arch]!;
  const records = () => maps.RECORD_FILES![arch]!.split('\n');

  const line = (words: string[]) => symbolic(words.map(showWord).join(' '));
  const add = (kind: LedgerKind, what: string, extra: Partial<LedgerEntry> = {}) =>
    out.push({ step, kind, what, shown: true, ...extra });
  const host = (...words: string[]) => add('run', line(words));
  const chroot = (...words: string[]) => add('chroot', line(words));
  const imageFile = (f: ImageFileData, hash: string | null = sha256(f.content)) =>
    add('image-file', symbolic(`write ${rootfs}${f.path} (mode ${f.mode})`), { sha256: hash });
  /** The sources file of the architecture being built (apt_sources, image_sources). */
  const archFile = (data: { files: { arches: string[]; file: ImageFileData }[] }) => data.files.find((f) => f.arches.includes(arch))!.file;
  const withCache = { when: 'with --package-cache' };
  const withResults = { when: 'with --result-cache' };

  add('create', symbolic(`mktemp -d ${W}`), { shown: false, when: 'removed with everything below it when the script exits' });
  add('mount', 'mount -t tmpfs -o mode=0700 mkimage $WORK_DIR', { when: 'with --tmpfs: the build in memory' });

  /** A file carried in the script (base64 or text), checked against its sha256, then given its mode and owner. */
  const embedded = (f: { path: string; mode: string; owner: string; blob: { sha256: string } }) => {
    add('image-file', symbolic(`unpack ${rootfs}${f.path} (sha256 ${f.blob.sha256})`), { sha256: f.blob.sha256 });
    host('chmod', '--', f.mode, `${rootfs}${f.path}`);
    chroot('chown', '--', f.owner, f.path);
  };

  const steps: Record<string, (data: any) => void> = {
    ca_certificates: (data) => {
      data.certificates.forEach(embedded);
      chroot('update-ca-certificates');
    },
    apt_repositories: (data) => {
      for (const key of data.keys) {
        embedded({ ...key, mode: '0644', owner: 'root:root' });
        add('read', symbolic(`read the fingerprints of ${rootfs}${key.path} with gpg: ${[...key.fingerprints].sort().join(' ')}`));
      }
      data.files.forEach((f: ImageFileData) => imageFile(f));
    },
    install_packages: (data) => {
      if (data.update) {
        listsRead();
        chroot('apt-get', 'update');
        listsRead();
      }
      chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', ...(data.downgrades ? ['--allow-downgrades'] : []), ...data.packages);
      add('fetch', data.packages.join(' '), { shown: false });
    },
    ld_cache: () => chroot('ldconfig'),
    accounts: (data) => data.commands.forEach((argv: string[]) => chroot(...argv)),
    image_files: (data) => data.files.forEach(embedded),
    run_hooks: (data) => {
      for (const hook of data.hooks) {
        const script = hook.on === 'rootfs' ? `${rootfs}/tmp/mkimage-hook` : s.backend === 'mmdebstrap' ? `${W}/tmp/mkimage-host-hook` : `${W}/hook`;
        add('write', symbolic(`unpack ${script} (sha256 ${hook.blob.sha256})`));
        host('chmod', '0700', script);
        if (hook.on === 'rootfs') chroot('/tmp/mkimage-hook');
        else host('env', `MKIMAGE_ROOTFS=${rootfs}`, script, rootfs);
        host('rm', '-f', '--', script);
      }
    },
    release_date: (data) => {
      for (const key of data.keys as { file: string; blob: { sha256: string } }[]) {
        add('write', symbolic(`unpack ${W}/${key.file} (sha256 ${key.blob.sha256})`));
      }
      const dists = arrays.RELEASE_DISTS!;
      const helper = [vars.APT_HELPER!, '-o', 'APT::Sandbox::User=root', 'download-file'];
      const file = (i: number) => `${W}/InRelease-${i}`;
      host('env', ...proxyEnv, ...helper, ...dists.flatMap((dist, i) => [`${dist}/InRelease`, file(i)]));
      dists.forEach((dist) => add('fetch', `${dist}/InRelease`, { shown: false }));
      add('run', line(['env', ...proxyEnv, ...helper, '<dist>/Release', `${W}/Release-<i>`, '<dist>/Release.gpg', `${W}/Release-<i>.gpg`]), {
        when: 'for each archive without InRelease',
      });
      dists.forEach((_dist, i) => {
        const keyring = arrays.RELEASE_KEYRINGS![i] ? `${W}/keyring-${arrays.RELEASE_KEYRINGS![i]}.gpg` : vars.KEYRING!;
        host('gpgv', '--status-fd', '1', '--ignore-time-conflict', '--keyring', keyring, '--output', `${file(i)}.signed`, file(i));
      });
      add('write', symbolic(`write ${W}/tmp/release-files`));
    },
    bootstrap: () => {
      const args = [`--verbose`, `--arch=${arch}`, `--keyring=${vars.KEYRING}`, `--components=${s.components.join(',')}`];
      if (vars.VARIANT !== 'default') args.push(`--variant=${vars.VARIANT}`);
      if (arrays.INCLUDE!.length > 0) args.push(`--include=${arrays.INCLUDE!.join(',')}`);
      if (s.exclude.length > 0) args.push(`--exclude=${s.exclude.join(',')}`);
      add('create', 'mkdir -p $PACKAGE_CACHE', withCache);
      const mirror = maps.MIRRORS![arch]!;
      host('env', ...proxyEnv, 'DPKG_FORCE=unsafe-io', 'debootstrap', ...args, s.suite, rootfs, mirror, `${DEBOOTSTRAP_SCRIPTS}${s.suite}`);
      add('fetch', `${mirror}/dists/${s.suite}/ and the packages of the variant`, { shown: false });
      listsRead();
      mounts();
    },
    write_tweaks: (data) => data.files.forEach((f: ImageFileData) => imageFile(f)),
    apt_tweaks: (data) => data.files.forEach((f: ImageFileData) => imageFile(f)),
    divert_initctl: (data) => {
      chroot('dpkg-divert', '--local', '--rename', '--add', data.path);
      host('ln', '-sfT', data.target, `${rootfs}${data.path}`);
    },
    debconf_preseed: (data) => {
      chroot('debconf-set-selections');
      if (data.timezone) {
        host('ln', '-sfT', `/usr/share/zoneinfo/${vars.TIMEZONE}`, `${rootfs}/etc/localtime`);
        imageFile({ path: '/etc/timezone', mode: '0644', content: `${vars.TIMEZONE}\n` });
      }
    },
    apt_sources: (data) => {
      imageFile(archFile(data));
      if (data.replaces) host('rm', '-f', `${rootfs}${data.replaces}`);
      if (data.validity) imageFile(data.validity);
    },
    apt_upgrade: (data) => {
      chroot('apt-get', 'update');
      add('fetch', r.builds.find((b) => b.arch === arch)!.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), { shown: false });
      listsRead();
      if (data.upgrade) chroot('apt-get', ...APT_OPTIONS, 'dist-upgrade');
    },
    locales: (data) => {
      if (data.preseeded) {
        // mmdebstrap installed locales with the variant.
      } else if (data.debconf) {
        chroot('debconf-set-selections');
        chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', 'locales');
      } else {
        chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', 'locales');
      }
      if (!data.debconf) chroot('locale-gen', ...arrays.LOCALES!);
      if (data.setDefault) chroot('update-locale', `LANG=${vars.DEFAULT_LOCALE}`);
    },
    timezone: () => {
      chroot('debconf-set-selections');
      host('ln', '-sfT', `/usr/share/zoneinfo/${vars.TIMEZONE}`, `${rootfs}/etc/localtime`);
      imageFile({ path: '/etc/timezone', mode: '0644', content: `${vars.TIMEZONE}\n` });
      chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', 'tzdata');
    },
    slim: (data) => {
      // The rules name the locale sources and converters the build finds.
      imageFile(data.rules, null);
      host('find', `${rootfs}/usr/share/doc`, '-mindepth', '1', '!', '-type', 'd', '!', '-name', 'copyright', '-delete');
      host('find', `${rootfs}/usr/share/doc`, '-mindepth', '1', '-type', 'd', '-empty', '-delete');
      // Identical files become hard links to one of them, inside the rootfs.
      host('slim_link_identical', data.linkIdentical.dir, data.linkIdentical.name);
      for (const dir of data.droppedDirs) add('run', line(['find', `${rootfs}${dir}`, '-mindepth', '1', '-delete']), { when: 'if it exists' });
      const keep = data.keptLocaleEntries.flatMap((e: string) => ['!', '-name', e]);
      host('find', `${rootfs}/usr/share/locale`, '-mindepth', '1', '-maxdepth', '1', ...keep, '-exec', 'rm', '-rf', '{}', '+');
    },
    image_sources: (data) => {
      imageFile(archFile(data));
      if (data.removeValidity) host('rm', '-f', `${rootfs}${data.removeValidity}`);
    },
    apt_clean: () => {
      chroot('apt-get', 'clean');
      host('rm', '-f', `${rootfs}/var/cache/apt/pkgcache.bin`, `${rootfs}/var/cache/apt/srcpkgcache.bin`);
      listsRead();
      host('rm', '-rf', `${rootfs}/var/lib/apt/lists/*`);
    },
    finalize: (data) => {
      listsRead();
      for (const undo of data.undo as string[][]) add('chroot', line(undo), { when: 'with --undo-tweaks' });
      imageFile({ path: '/etc/resolv.conf', mode: '0644', content: '' });
      imageFile({ path: '/etc/hostname', mode: '0644', content: '' });
      add('image-file', symbolic(`write ${rootfs}/etc/machine-id (mode 0444)`), { sha256: sha256(''), when: 'if the rootfs has one' });
      host('find', `${rootfs}/run`, ...(data.clearTmp ? [`${rootfs}/tmp`] : []), '-mindepth', '1', '-delete');
      const logs = [
        '/var/log/dpkg.log',
        '/var/log/alternatives.log',
        '/var/log/bootstrap.log',
        '/var/log/apt/*.log',
        '/var/log/apt/eipp.log.xz',
        '/var/cache/ldconfig/aux-cache',
        '/var/lib/dbus/machine-id',
        '/var/cache/debconf/*-old',
        '/var/lib/dpkg/*-old',
      ];
      host('rm', '-f', ...logs.map((p) => `${rootfs}${p}`));
    },
    tarball: () => {
      for (const fs of ['/dev/pts', '/sys', '/proc']) add('unmount', line(['umount', `${rootfs}${fs}`]));
      add('read', symbolic(`read the release version from ${rootfs}${vars.VERSION_FILE}`));
      host('mkdir', '-p', O);
      const tar = ['tar', '--numeric-owner', '--one-file-system', '-C', rootfs];
      if (s.reproducible) {
        const epoch = r.epoch === null ? '<newest Release date>' : String(r.epoch);
        tar.push('--sort=name', `--mtime=@${epoch}`, '--clamp-mtime', '--format=posix');
        tar.push('--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime');
      }
      host(...tar, '-c', '.');
      packed();
    },
    mmdebstrap_build: (data) => {
      const args = [
        `--mode=${s.mode}`,
        '--format=tar',
        `--variant=${vars.VARIANT}`,
        `--arch=${arch}`,
        `--keyring=${vars.KEYRING}`,
        `--components=${s.components.join(',')}`,
        `--hook-dir=${vars.MERGED_USR_HOOK}`,
      ];
      if (arrays.INCLUDE!.length > 0) args.push(`--include=${arrays.INCLUDE!.join(',')}`);
      if (data.eatmydata) args.push(`--hook-dir=${vars.EATMYDATA_HOOK}`);
      args.push('--skip=cleanup/apt');
      if (data.noValidUntil) args.push('--aptopt=Acquire::Check-Valid-Until "false"');
      if (data.keepPolicyRcD) args.push('--skip=chroot/policy-rc.d');
      add('create', 'mkdir -p $PACKAGE_CACHE', withCache);
      const hookScript = `${W}/mkimage.sh`;
      add('write', symbolic(`install -m 0755 <this script> ${hookScript}`));
      if (s.mode === 'unshare') host('chmod', '0755', W);
      for (const stage of ['setup', 'essential', 'customize']) {
        args.push(`--${stage}-hook=${bashQ(hookScript)} --hook ${stage} --arch ${arch} "$1"`);
      }
      args.push(`--customize-hook=download ${vars.VERSION_FILE} ${W}/version-${arch}`);
      args.push(`--customize-hook=download /var/lib/dpkg/status ${W}/dpkg-${arch}/status`);
      host('mkdir', '-p', `${W}/dpkg-${arch}`);
      host('mkdir', '-p', O);
      host('env', ...proxyEnv, `TMPDIR=${W}/tmp`, 'mmdebstrap', ...args, s.suite, '-', ...maps.APT_LINES![arch]!.split('\n'));
      add('fetch', r.builds.find((b) => b.arch === arch)!.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), { shown: false });
      packed();
      rootfs = DRY_RUN_STAND_INS.hookRootfs;
    },
    minimal_build: (data) => {
      const args = ['--mode=root', '--format=directory', '--variant=essential', `--arch=${arch}`, `--keyring=${vars.KEYRING}`];
      args.push(`--components=${s.components.join(',')}`, `--hook-dir=${vars.MERGED_USR_HOOK}`, `--include=${arrays.INCLUDE!.join(',')}`);
      args.push('--skip=essential/unlink', '--skip=cleanup/apt');
      if (data.noValidUntil) args.push('--aptopt=Acquire::Check-Valid-Until "false"');
      add('create', 'mkdir -p $PACKAGE_CACHE', withCache);
      host('env', ...proxyEnv, `TMPDIR=${W}/tmp`, 'mmdebstrap', ...args, s.suite, `${W}/build-${arch}`, ...maps.APT_LINES![arch]!.split('\n'));
      add('fetch', r.builds.find((b) => b.arch === arch)!.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), { shown: false });
      add('read', symbolic(`compare the Release files in ${W}/build-${arch}/var/lib/apt/lists with ${W}/tmp/release-files`));
    },
    minimal_rootfs: (data) => {
      const build = `${W}/build-${arch}`;
      host('mkdir', '-p', `${W}/dpkg-${arch}`);
      host('minimal_usr_links', build, rootfs);
      for (const p of data.packages as { name: string; only: string[] }[]) host('minimal_unpack', build, rootfs, p.name, ...p.only);
      host('minimal_prune', rootfs);
      // The CA bundle: made on the build side by update-ca-certificates.
      add('image-file', line(['install', '-D', '-m', '0644', `${build}${data.caBundle}`, `${rootfs}${data.caBundle}`]), { sha256: null });
      imageFile({ path: '/etc/passwd', mode: '0644', content: data.passwd });
      imageFile({ path: '/etc/group', mode: '0644', content: data.group });
      host('install', '-d', '-m', '0700', '-o', data.uid, '-g', data.uid, `${rootfs}/home/nonroot`);
      host('install', '-d', '-m', '1777', `${rootfs}/tmp`);
      host('minimal_status_db', rootfs, `${W}/dpkg-${arch}/status`);
      add('read', symbolic(`read the release version from ${rootfs}${vars.VERSION_FILE}`));
      host('mkdir', '-p', O);
      const tar = ['tar', '--numeric-owner', '--one-file-system', '-C', rootfs];
      if (data.reproducible) {
        tar.push('--sort=name', `--mtime=@${r.epoch === null ? '<newest Release date>' : String(r.epoch)}`, '--clamp-mtime', '--format=posix');
        tar.push('--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime');
      }
      host(...tar, '-c', '.');
      packed();
    },
    records: () => {
      const db = s.backend === 'mmdebstrap' ? `${W}/dpkg-${arch}` : `${rootfs}/var/lib/dpkg`;
      host('dpkg-query', `--admindir=${db}`, '-W', '-f', '${Package};${Version};${Architecture};${Source};${Status};${Provides};${Pre-Depends};${Depends}\\n');
      for (const name of records()) add('write', symbolic(`write ${O}/.partial-${name}`));
      const expected = maps.EXPECTS![arch];
      if (expected) host('diff', '-u', `${S}/${expected}`, `${O}/.partial-${records()[0]}`);
    },
    publish: () => {
      add('write', symbolic(`write ${O}/.partial-${tarball()}.sha256`));
      for (const name of [...records(), `${tarball()}.sha256`, tarball()]) {
        host('mv', '-f', `${O}/.partial-${name}`, `${O}/${name}`);
      }
      add('write', symbolic(`write ${O}/${vars.BUILD_VARS_FILE}`));
    },
    import_image: (data) => {
      // What the build reads: the release version (a dry run says <version>) and the day of SOURCE_DATE_EPOCH.
      const known = r.epoch === null ? null : new Date(r.epoch * 1000).toISOString();
      const created = known === null ? '<created>' : known.replace(/\.\d{3}Z$/, 'Z');
      const day = known === null ? '<date>' : known.slice(0, 10).replaceAll('-', '');
      const labels = ['--change', `LABEL ${data.createdLabel}=${created}`, '--change', `LABEL ${data.versionLabel}=<version>`];
      const releaseTags = [...(vars.TAG_VERSION === '1' ? ['<version>'] : []), ...(vars.TAG_DATED === '1' ? [`${s.suite}-${day}`] : [])];
      const tags = [...arrays.TAGS!, ...releaseTags];
      for (const platform of data.platforms as { arch: string; args: string[]; changes: string[] }[]) {
        const suffix = maps.ARCH_TAGS![platform.arch]!;
        const first = `${vars.IMAGE}:${tags[0]}${suffix}`;
        host(vars.ENGINE!, 'import', ...platform.changes, ...labels, ...platform.args, `${O}/${maps.TARBALLS![platform.arch]}`, first);
        for (const tag of tags.slice(1)) host(vars.ENGINE!, 'tag', first, `${vars.IMAGE}:${tag}${suffix}`);
      }
      if (data.manifestList) {
        for (const tag of tags) {
          host(vars.ENGINE!, 'manifest', 'create', `${vars.IMAGE}:${tag}`);
          for (const platform of data.platforms) {
            host(vars.ENGINE!, 'manifest', 'add', `${vars.IMAGE}:${tag}`, `containers-storage:${vars.IMAGE}:${tag}${maps.ARCH_TAGS![platform.arch]}`);
          }
        }
      }
    },
    oci_image: (data) => {
      const layout = `${W}/oci`;
      const blobs = `${layout}/blobs/sha256`;
      const blob = () => {
        add('write', symbolic(`write ${blobs}/blob.tmp`));
        host('mv', '-f', `${blobs}/blob.tmp`, `${blobs}/<sha256 of blob.tmp>`);
      };
      host('mkdir', '-p', blobs);
      for (const image of data.images as { arch: string }[]) {
        const unpack = arrays.COMPRESSOR!.length > 0 ? [arrays.COMPRESSOR![0]!, '-dc'] : ['cat'];
        host(...unpack, `${O}/${maps.TARBALLS![image.arch]}`);
        add('write', symbolic(`> ${W}/layer.tar`));
        host('gzip', '-n', '-6', '-c', `${W}/layer.tar`);
        add('write', symbolic(`> ${blobs}/layer.tmp`));
        host('mv', '-f', `${blobs}/layer.tmp`, `${blobs}/<sha256 of layer.tmp>`);
        host('rm', '-f', `${W}/layer.tar`);
        blob();
        blob();
      }
      if (data.several) blob();
      for (const file of ['index.json', 'oci-layout', 'manifest.json']) add('write', symbolic(`write ${layout}/${file}`));
      host('mkdir', '-p', O);
      const archive = `${O}/${data.archive}`;
      const partial = `${O}/.partial-${data.archive}`;
      host('tar', '--sort=name', '--format=ustar', '--numeric-owner', '--owner=0', '--group=0', '--mode=go-w', '--mtime=<SOURCE_DATE_EPOCH in RFC 3339>', '-C', layout, '-c', '-f', '-', 'blobs', 'index.json', 'manifest.json', 'oci-layout');
      add('write', symbolic(`> ${partial}`));
      const final = `${O}/${data.layoutDir}`;
      host('rm', '-rf', `${final}.old`);
      add('run', line(['mv', '-f', final, `${final}.old`]), { when: 'if an earlier layout is there' });
      host('mv', layout, final);
      host('mv', '-f', partial, archive);
      host('rm', '-rf', `${final}.old`);
    },
  };

  /** check_apt_lists: the Release files apt keeps in the rootfs, compared with those checked before the build. */
  function listsRead() {
    add('read', symbolic(`compare the Release files in ${rootfs}/var/lib/apt/lists with ${W}/tmp/release-files`));
  }
  function mounts() {
    add('mount', line(['mount', '-t', 'proc', 'proc', `${rootfs}/proc`]));
    add('mount', line(['mount', '-t', 'sysfs', 'sysfs', `${rootfs}/sys`]));
    add('mount', line(['mount', '-t', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=0620', 'devpts', `${rootfs}/dev/pts`]));
  }
  function packed() {
    if (arrays.COMPRESSOR!.length > 0) add('run', line(['|', ...arrays.COMPRESSOR!]));
    add('write', symbolic(`> ${O}/.partial-${tarball()}`));
  }
  function record(planned: StepPlan) {
    step = planned.fn;
    const handler = steps[planned.template === 'steps/run_hooks' ? 'run_hooks' : planned.fn];
    if (!handler) throw new Error(`the root ledger does not know step ${planned.fn}`);
    handler(planned.data);
  }

  // main's own order: the steps before the architectures, each architecture's (with
  // mmdebstrap's hook stages inside its build), then the steps after them.
  const all = plan.steps as StepPlan[];
  const firstPerArch = all.findIndex((p) => p.perArch);
  const lastPerArch = all.length - 1 - [...all].reverse().findIndex((p) => p.perArch);
  for (const planned of all.slice(0, Math.max(firstPerArch, 0))) record(planned);
  for (const build of firstPerArch < 0 ? [] : r.builds) {
    arch = build.arch;
    rootfs = `${W}/rootfs-${arch}`;
    step = 'main';
    const kept = `$RESULT_CACHE/${maps.KEPT_BUILDS![arch]}`;
    add('read', `compare the inputs with ${kept}/inputs`, {
      when: 'with --result-cache: when they are the same and the kept files match their checksums, it publishes those and skips the steps below',
    });
    for (const planned of all.slice(firstPerArch, lastPerArch + 1)) {
      record(planned);
      if (planned.stage === 'customize' && planned === all.filter((p) => p.stage === 'customize').at(-1)) {
        add('read', symbolic(`read the release version from ${W}/version-${arch}`));
      }
    }
    step = 'main';
    add('write', `keep ${tarball()} and its records in ${kept}`, withResults);
  }
  for (const planned of all.slice(lastPerArch + 1)) record(planned);
  step = 'main';
  add('remove', '$WORK_DIR', { shown: false, when: 'on exit, after unmounting what is mounted below it' });
  return out;
}

/** The host paths a script touches, for its header: the work dir and each architecture's output files. */
export function hostPaths(plan: Pick<ScriptPlan, 'maps' | 'variables' | 'steps'>): string[] {
  const map = (name: string) => plan.maps.find((m) => m.name === name)!.entries;
  const vars = Object.fromEntries(plan.variables.map((v) => [v.name, v.value]));
  const records = map('RECORD_FILES');
  const oci = plan.steps.some((step) => step.fn === 'oci_image');
  return [
    '--work-dir (default: $TMPDIR or /var/tmp)/mkimage.XXXXXXXXXX: the work dir (a tmpfs with --tmpfs), removed when the script exits',
    "--output-dir (default: the script's folder):",
    ...map('TARBALLS').map(({ value }, i) => `  ${value}, ${value}.sha256, ${records[i]!.value.split('\n').join(', ')}`),
    ...(oci ? [`  ${OCI_LAYOUT_DIR}/, ${OCI_ARCHIVE}`] : []),
    `  ${vars.BUILD_VARS_FILE}; each written under a temporary name first, then renamed`,
    '--package-cache DIR, if given: the .debs of the build',
    '--result-cache DIR, if given: each finished build, with the inputs it came from',
    ...(vars.ENGINE ? [`the image store of ${vars.ENGINE} (the import)`] : []),
  ];
}

/** The ledger as `explain` prints it. */
export function ledgerText(entries: readonly LedgerEntry[]): string[] {
  const width = Math.max(...entries.map((e) => e.kind.length));
  return entries.map((e) => {
    const hash = e.sha256 === undefined ? '' : e.sha256 === null ? ' [sha256: made at build time]' : ` [sha256 ${e.sha256}]`;
    const when = e.when ? ` (${e.when})` : '';
    return `  ${e.step.padEnd(16)} ${e.kind.padEnd(width)}  ${e.what}${hash}${when}`;
  });
}
