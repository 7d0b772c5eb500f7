// The root ledger: everything the generated script does as root, in the order it does
// it, worked out from the plan alone — every command on the host and in the chroot,
// every mount, every host path it creates, writes or removes, every URL it fetches,
// every file it writes into the image (with the sha256 of what it writes). A test runs
// the script's --dry-run and proves the two agree line by line.
import { createHash } from 'node:crypto';
import type { Resolved } from './resolve.js';
import type { ScriptPlan } from './script.js';
import type { StepPlan } from './steps.js';

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
    .replaceAll(`${s.workDir}/rootfs`, '$ROOTFS')
    .replaceAll(s.hookRootfs, '$ROOTFS')
    .replaceAll(s.workDir, '$WORK_DIR')
    .replace(/(^|[ '=])\/S\//g, '$1$SCRIPT_DIR/')
    .replace(/(^|[ '=])\/O(?=[/ ']|$)/g, '$1$OUTPUT_DIR');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const APT_OPTIONS = ['-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
const DEBOOTSTRAP_SCRIPTS = '/usr/share/debootstrap/scripts/';

interface ImageFileData {
  path: string;
  mode: string;
  content: string;
}

/** The ledger of one script, in the order it runs. */
export function rootLedger(plan: ScriptPlan, r: Resolved): LedgerEntry[] {
  const vars = Object.fromEntries(plan.variables.map((v) => [v.name, v.value]));
  const arrays = Object.fromEntries(plan.arrays.map((a) => [a.name, a.values]));
  const s = r.settings;
  const W = DRY_RUN_STAND_INS.workDir;
  const O = DRY_RUN_STAND_INS.outputDir;
  const proxyEnv = s.proxy ? [`http_proxy=${s.proxy}`, `https_proxy=${s.proxy}`] : [];
  const out: LedgerEntry[] = [];
  let step = 'main';
  let rootfs = `${W}/rootfs`;

  const line = (words: string[]) => symbolic(words.map(showWord).join(' '));
  const add = (kind: LedgerKind, what: string, extra: Partial<LedgerEntry> = {}) =>
    out.push({ step, kind, what, shown: true, ...extra });
  const host = (...words: string[]) => add('run', line(words));
  const chroot = (...words: string[]) => add('chroot', line(words));
  const imageFile = (f: ImageFileData, hash: string | null = sha256(f.content)) =>
    add('image-file', symbolic(`write ${rootfs}${f.path} (mode ${f.mode})`), { sha256: hash });

  add('create', symbolic(`mktemp -d ${W}`), { shown: false, when: 'removed with everything below it when the script exits' });

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
      for (const key of data.keys) embedded({ ...key, mode: '0644', owner: 'root:root' });
      data.files.forEach((f: ImageFileData) => imageFile(f));
    },
    install_packages: (data) => {
      if (data.update) chroot('apt-get', 'update');
      chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', ...(data.downgrades ? ['--allow-downgrades'] : []), ...data.packages);
      add('fetch', data.packages.join(' '), { shown: false });
    },
    accounts: (data) => data.commands.forEach((argv: string[]) => chroot(...argv)),
    image_files: (data) => data.files.forEach(embedded),
    run_hooks: (data) => {
      for (const hook of data.hooks) {
        const script = hook.on === 'rootfs' ? `${rootfs}/tmp/mkimage-hook` : `${W}/hook`;
        add('write', symbolic(`unpack ${script} (sha256 ${hook.blob.sha256})`));
        host('chmod', '0700', script);
        if (hook.on === 'rootfs') chroot('/tmp/mkimage-hook');
        else host('env', `MKIMAGE_ROOTFS=${rootfs}`, script, rootfs);
        host('rm', '-f', '--', script);
      }
    },
    release_date: () => {
      for (const url of arrays.RELEASE_URLS!) {
        host('env', ...proxyEnv, vars.APT_HELPER!, '-o', 'APT::Sandbox::User=root', 'download-file', url, `${W}/Release`);
        add('fetch', url, { shown: false });
        add('write', symbolic(`${W}/release-files`), { shown: false });
        add('remove', symbolic(`${W}/Release`), { shown: false });
      }
    },
    bootstrap: () => {
      const args = [`--verbose`, `--arch=${s.arch}`, `--keyring=${vars.KEYRING}`, `--components=${s.components.join(',')}`];
      if (vars.VARIANT !== 'default') args.push(`--variant=${vars.VARIANT}`);
      if (r.include.length > 0) args.push(`--include=${r.include.join(',')}`);
      if (s.exclude.length > 0) args.push(`--exclude=${s.exclude.join(',')}`);
      host('env', ...proxyEnv, 'DPKG_FORCE=unsafe-io', 'debootstrap', ...args, s.suite, rootfs, vars.MIRROR!, `${DEBOOTSTRAP_SCRIPTS}${s.suite}`);
      add('fetch', `${vars.MIRROR}/dists/${s.suite}/ and the packages of the variant`, { shown: false });
      mounts();
    },
    write_tweaks: (data) => data.files.forEach((f: ImageFileData) => imageFile(f)),
    divert_initctl: (data) => {
      chroot('dpkg-divert', '--local', '--rename', '--add', data.path);
      host('ln', '-sf', data.target, `${rootfs}${data.path}`);
    },
    apt_sources: (data) => {
      imageFile(data.file);
      if (data.replaces) host('rm', '-f', `${rootfs}${data.replaces}`);
      if (data.validity) imageFile(data.validity);
    },
    apt_upgrade: (data) => {
      chroot('apt-get', 'update');
      add('fetch', r.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), { shown: false });
      if (data.upgrade) chroot('apt-get', ...APT_OPTIONS, 'dist-upgrade');
    },
    locales: (data) => {
      if (data.debconf) {
        chroot('debconf-set-selections');
        chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', 'locales');
      } else {
        chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', 'locales');
        chroot('locale-gen', ...arrays.LOCALES!);
      }
      if (data.setDefault) chroot('update-locale', `LANG=${vars.DEFAULT_LOCALE}`);
    },
    timezone: () => {
      chroot('debconf-set-selections');
      host('ln', '-sf', `/usr/share/zoneinfo/${vars.TIMEZONE}`, `${rootfs}/etc/localtime`);
      imageFile({ path: '/etc/timezone', mode: '0644', content: `${vars.TIMEZONE}\n` });
      chroot('apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', 'tzdata');
    },
    slim: (data) => {
      // With generated locales the rules name the locale sources the build finds.
      imageFile(data.rules, data.localeSources.length > 0 ? null : sha256(data.rules.content));
      host('find', `${rootfs}/usr/share/doc`, '-mindepth', '1', '!', '-type', 'd', '!', '-name', 'copyright', '-delete');
      host('find', `${rootfs}/usr/share/doc`, '-mindepth', '1', '-type', 'd', '-empty', '-delete');
      for (const dir of data.droppedDirs) add('run', line(['find', `${rootfs}${dir}`, '-mindepth', '1', '-delete']), { when: 'if it exists' });
      const keep = data.keptLocaleEntries.flatMap((e: string) => ['!', '-name', e]);
      host('find', `${rootfs}/usr/share/locale`, '-mindepth', '1', '-maxdepth', '1', ...keep, '-exec', 'rm', '-rf', '{}', '+');
    },
    image_sources: (data) => {
      imageFile(data.file);
      if (data.removeValidity) host('rm', '-f', `${rootfs}${data.removeValidity}`);
    },
    apt_clean: () => {
      chroot('apt-get', 'clean');
      host('rm', '-rf', `${rootfs}/var/lib/apt/lists/*`);
    },
    finalize: (data) => {
      for (const undo of data.undo as string[][]) add('chroot', line(undo), { when: 'with --undo-tweaks' });
      imageFile({ path: '/etc/resolv.conf', mode: '0644', content: '' });
      imageFile({ path: '/etc/hostname', mode: '0644', content: '' });
      add('image-file', symbolic(`write ${rootfs}/etc/machine-id (mode 0444)`), { sha256: sha256(''), when: 'if the rootfs has one' });
      host('find', `${rootfs}/run`, `${rootfs}/tmp`, '-mindepth', '1', '-delete');
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
    package_list: () => {
      chroot('dpkg-query', '-W', '-f', '${Package};${Version};${Architecture};${Source};${Status};${Provides};${Pre-Depends};${Depends}\\n');
      add('write', symbolic(`> ${W}/packages`));
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
        '--mode=root',
        '--format=tar',
        `--variant=${vars.VARIANT}`,
        `--arch=${s.arch}`,
        `--keyring=${vars.KEYRING}`,
        `--components=${s.components.join(',')}`,
        `--hook-dir=${vars.MERGED_USR_HOOK}`,
      ];
      if (r.include.length > 0) args.push(`--include=${r.include.join(',')}`);
      if (data.keepAptCache) args.push('--skip=cleanup/apt');
      if (data.noValidUntil) args.push('--aptopt=Acquire::Check-Valid-Until "false"');
      if (data.keepPolicyRcD) args.push('--skip=chroot/policy-rc.d');
      for (const stage of ['setup', 'essential', 'customize']) {
        args.push(`--${stage}-hook=${bashQ(`${DRY_RUN_STAND_INS.scriptDir}/mkimage.sh`)} --hook ${stage} --state-dir ${bashQ(W)} "$1"`);
      }
      host('mkdir', '-p', O);
      host('env', ...proxyEnv, `TMPDIR=${W}`, 'mmdebstrap', ...args, s.suite, '-', ...arrays.APT_LINES!);
      add('fetch', r.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), { shown: false });
      packed();
      rootfs = DRY_RUN_STAND_INS.hookRootfs;
    },
    records: () => {
      for (const name of arrays.RECORD_FILES!) add('write', symbolic(`write ${O}/.partial-${name}`));
      if (vars.EXPECT) host('diff', '-u', `${DRY_RUN_STAND_INS.scriptDir}/${vars.EXPECT}`, `${O}/.partial-${vars.MANIFEST}`);
    },
    publish: () => {
      add('write', symbolic(`write ${O}/.partial-${vars.TARBALL}.sha256`));
      for (const name of [...arrays.RECORD_FILES!, `${vars.TARBALL}.sha256`, vars.TARBALL!]) {
        host('mv', '-f', `${O}/.partial-${name}`, `${O}/${name}`);
      }
      add('write', symbolic(`write ${O}/${vars.BUILD_VARS_FILE}`));
    },
    import_image: (data) => {
      const [first, ...rest] = arrays.TAGS!;
      const ref = `${vars.IMAGE}:${first}`;
      // What the build reads: the release version (a dry run says <version>) and the day of SOURCE_DATE_EPOCH.
      const known = r.epoch === null ? null : new Date(r.epoch * 1000).toISOString();
      const created = known === null ? '<created>' : known.replace(/\.\d{3}Z$/, 'Z');
      const day = known === null ? '<date>' : known.slice(0, 10).replaceAll('-', '');
      const labels = ['--change', `LABEL ${data.createdLabel}=${created}`, '--change', `LABEL ${data.versionLabel}=<version>`];
      host(vars.ENGINE!, 'import', ...data.changes, ...labels, `${O}/${vars.TARBALL}`, ref);
      const releaseTags = [...(vars.TAG_VERSION === '1' ? ['<version>'] : []), ...(vars.TAG_DATED === '1' ? [`${s.suite}-${day}`] : [])];
      for (const tag of [...rest, ...releaseTags]) host(vars.ENGINE!, 'tag', ref, `${vars.IMAGE}:${tag}`);
    },
  };

  function mounts() {
    add('mount', line(['mount', '-t', 'proc', 'proc', `${rootfs}/proc`]));
    add('mount', line(['mount', '-t', 'sysfs', 'sysfs', `${rootfs}/sys`]));
    add('mount', line(['mount', '-t', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=0620', 'devpts', `${rootfs}/dev/pts`]));
  }
  function packed() {
    if (arrays.COMPRESSOR!.length > 0) add('run', line(['|', ...arrays.COMPRESSOR!]));
    add('write', symbolic(`> ${O}/.partial-${vars.TARBALL}`));
  }

  for (const planned of plan.steps as StepPlan[]) {
    step = planned.fn;
    const record = steps[planned.template === 'steps/run_hooks' ? 'run_hooks' : planned.fn];
    if (!record) throw new Error(`the root ledger does not know step ${planned.fn}`);
    record(planned.data);
    if (planned.stage === 'customize' && planned.fn === plan.steps.filter((p) => p.stage === 'customize').at(-1)!.fn) {
      add('read', symbolic(`read the release version from ${rootfs}${vars.VERSION_FILE}`));
    }
  }
  step = 'main';
  add('remove', '$WORK_DIR', { shown: false, when: 'on exit, after unmounting what is mounted below it' });
  return out;
}

/** The host paths a script touches, for its header: the work dir and the output files. */
export function hostPaths(plan: Pick<ScriptPlan, 'variables' | 'arrays'>): string[] {
  const vars = Object.fromEntries(plan.variables.map((v) => [v.name, v.value]));
  const records = plan.arrays.find((a) => a.name === 'RECORD_FILES')!.values;
  return [
    '--work-dir (default: $TMPDIR or /var/tmp)/mkimage.XXXXXXXXXX: the work dir, removed when the script exits',
    `--output-dir (default: the script's folder): ${vars.TARBALL}, ${vars.TARBALL}.sha256, ${records.join(', ')}`,
    '  each written as .partial-<name> first, then renamed',
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
