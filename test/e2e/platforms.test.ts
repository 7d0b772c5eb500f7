// Every architecture, no root, no daemon. Two real builds of one bookworm config with the
// ja locales, through mmdebstrap minbase, and the OCI output of each:
//   1. as root, for amd64 and arm64 (arm64 through qemu-user): one tarball per
//      architecture, and an OCI layout whose index holds both platforms;
//   2. as an unprivileged user this test makes (and removes), for amd64 alone, with the
//      script's --mode unshare: its tarball must equal the root build's amd64 tarball
//      byte for byte, and its OCI layer must have the same digest as the amd64 one in
//      the root build's index, its image config the same content but for the labels
//      that name the records beside each tarball (the layout is derived from the
//      tarball, so equal tarballs give equal layers: two builds, identical digests).
// skopeo inspects the layouts; podman loads the archive into a throwaway store.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFiles } from '../../src/layout.js';
import type { SettingsInput } from '../../src/model/index.js';
import { ContainerStore } from './support/containers.js';
import { describeE2E, makeTempRoot, must, prerequisites, removeTree, sh, SYSTEM_PATH, which } from './support/host.js';
import { inRoot, unpack } from './support/rootfs.js';
import { describeRun, renderConfig, runScript, stopScripts, type Finished } from './support/script.js';
import { makeUnprivilegedUser, removeUser, type TestUser } from './support/users.js';

const prereq = await prerequisites();
const BINFMT = '/proc/sys/fs/binfmt_misc/qemu-aarch64';
const extra: string[] = [];
for (const [command, pkg] of [
  ['skopeo', 'skopeo'],
  ['umoci', 'umoci'],
  ['newuidmap', 'uidmap'],
  ['useradd', 'passwd'],
  ['qemu-aarch64-static', 'qemu-user-static'],
  ['arch-test', 'arch-test'],
] as const) {
  if (!which(command)) extra.push(`${command} is missing (apt: ${pkg})`);
}
if (!existsSync(BINFMT) || !readFileSync(BINFMT, 'utf8').startsWith('enabled')) {
  extra.push(`arm64 binaries do not run here (${BINFMT}): as root, mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable qemu-aarch64`);
}
const platformPrereq = { ...prereq, problems: [...prereq.problems, ...extra] };

const LOCALES = { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' };
const LABELS = { 'org.opencontainers.image.title': 'debian-ja "e2e" $HOME' };

/** What each build cost, in the log (README, "End-to-end tests"); never asserted. */
async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    console.log(`platforms e2e: ${what} took ${((performance.now() - start) / 1000).toFixed(1)}s`);
  }
}

/** Entries (owner, mode, size, mtime, name) in one listing and not the other. */
function listingDiff(a: string, b: string): string {
  const list = (tarball: string) => must('tar', ['-tv', '--numeric-owner', '--full-time', '-f', tarball]).trimEnd().split('\n');
  const [left, right] = [list(a), list(b)];
  const only = (x: string[], y: string[]) => x.filter((line) => !y.includes(line));
  return [`only in ${a}:`, ...only(left, right), `only in ${b}:`, ...only(right, left)].join('\n');
}

/** The labels that name the build's records beside the tarball taken out: the config's own remain. */
const withoutRecordLabels = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith('mkimage-gen.')));

interface Index {
  manifests: { digest: string; mediaType: string; platform?: { architecture: string; os: string }; annotations?: Record<string, string> }[];
}

describeE2E('multi-arch, rootless and OCI builds', platformPrereq, (mirrors) => {
  let root = '';
  let user: TestUser | undefined;
  let store: ContainerStore | undefined;
  const settings = (arch: SettingsInput['arch']): SettingsInput => ({
    name: 'mkimage-e2e/platforms',
    distro: 'debian',
    suite: 'bookworm',
    arch,
    backend: 'mmdebstrap',
    variant: 'minbase',
    mirror: mirrors.mirror,
    securityMirror: mirrors.securityMirror,
    locales: LOCALES,
    output: { compression: 'zstd', import: 'none', oci: true, labels: LABELS },
  });
  let multi: { out: string; run: Finished };
  let rootless: { out: string; run: Finished };

  beforeAll(async () => {
    root = makeTempRoot('platforms');
    // 1. Root, amd64 and arm64.
    const both = await renderConfig(join(root, 'multi'), 'multi', settings(['amd64', 'arm64']));
    const multiOut = join(root, 'multi', 'result');
    multi = { out: multiOut, run: await timed('root build, amd64 + arm64', () => runScript(both.script, ['--output-dir', multiOut, '--work-dir', join(root, 'multi', 'work')])) };
    // 2. The same config for amd64 alone, as an unprivileged user, chosen by the script flag.
    user = makeUnprivilegedUser(root);
    const single = await renderConfig(join(root, 'single'), 'single', settings('amd64'));
    const singleOut = join(user.home, 'result');
    rootless = {
      out: singleOut,
      run: await timed('rootless build, amd64', () =>
        runScript(single.script, ['--mode', 'unshare', '--output-dir', singleOut, '--work-dir', join(user!.home, 'work')], {
          asUser: user!,
          env: { HOME: user!.home, USER: user!.name },
        }),
      ),
    };
  }, 40 * 60_000);

  afterAll(async () => {
    await stopScripts();
    store?.close();
    if (user) removeUser(user);
    removeTree(root);
  });

  describe('root build of amd64 and arm64', () => {
    it('succeeds and writes one tarball per architecture', () => {
      expect(multi.run.code, describeRun(multi.run)).toBe(0);
      for (const token of ['amd64', 'arm64']) {
        const tarball = join(multi.out, `rootfs-${token}.tar.zst`);
        expect(multi.run.stdout).toContain(`mkimage: tarball ${tarball}\n`);
        // The tarball's sum first, then its own records' (rootfs-arm64.manifest, ...).
        const sums = readFileSync(`${tarball}.sha256`, 'utf8').split('\n').slice(0, -1);
        expect(sums[0]).toMatch(new RegExp(`^[0-9a-f]{64}  rootfs-${token}\\.tar\\.zst$`));
        expect(sums.slice(1).map((l) => l.slice(66))).toEqual(recordFiles(`rootfs-${token}.tar.zst`));
      }
      // Each architecture's steps are labelled with it; their times go to the log (BENCHMARKS.md).
      for (const token of ['amd64', 'arm64']) {
        const line = new RegExp(`^\\[\\d+/\\d+ ${token}\\] mmdebstrap bookworm \\.\\.\\. \\d+\\.\\ds$`, 'm').exec(multi.run.output);
        expect(line, `no finished mmdebstrap step for ${token}`).not.toBeNull();
        console.log(`platforms e2e: ${line![0]}`);
      }
    });

    it('built arm64 binaries that run through qemu, with the ja locales', () => {
      const rootfs = unpack(join(multi.out, 'rootfs-arm64.tar.zst'), join(root, 'arm64-rootfs'));
      expect(inRoot(rootfs, ['uname', '-m']).stdout.trim()).toBe('aarch64');
      expect(inRoot(rootfs, ['dpkg', '--print-architecture']).stdout.trim()).toBe('arm64');
      const locales = inRoot(rootfs, ['locale', '-a']).stdout.split('\n');
      expect(locales).toEqual(expect.arrayContaining(['ja_JP.utf8', 'ja_JP.eucjp']));
      expect(readFileSync(join(rootfs, 'etc/default/locale'), 'utf8')).toContain('LANG=ja_JP.UTF-8');
    });

    it('wrote an OCI layout whose index holds both platforms', () => {
      const layout = join(multi.out, 'oci-layout');
      const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as Index;
      const bookworm = top.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'bookworm');
      expect(bookworm?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      const index = JSON.parse(readFileSync(join(layout, 'blobs/sha256', bookworm!.digest.slice(7)), 'utf8')) as Index;
      expect(index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
      for (const arch of ['amd64', 'arm64']) {
        const inspect = JSON.parse(
          must('skopeo', ['--override-arch', arch, 'inspect', `oci:${layout}:bookworm`], { env: { PATH: SYSTEM_PATH, HOME: root } }),
        ) as { Architecture: string; Labels: Record<string, string> };
        expect(inspect.Architecture).toBe(arch);
        expect(withoutRecordLabels(inspect.Labels)).toMatchObject(LABELS);
        // Each architecture's image names its own records.
        expect(inspect.Labels['mkimage-gen.manifest']).toBe(`rootfs-${arch}.manifest`);
      }
      // Each architecture's own tag names its manifest alone: umoci, which takes one platform, reads it.
      const tags = must('umoci', ['ls', '--layout', layout]).split('\n');
      expect(tags).toEqual(expect.arrayContaining(['bookworm-amd64', 'bookworm-arm64']));
      const stat = JSON.parse(must('umoci', ['stat', '--json', '--image', `${layout}:bookworm-arm64`])) as { history: { created_by: string }[] };
      expect(stat.history.map((h) => h.created_by)).toEqual([expect.stringContaining('rootfs-arm64.tar.zst')]);
    });
  });

  describe('rootless build of amd64 (--mode unshare, as an unprivileged user)', () => {
    it('succeeds without root', () => {
      expect(rootless.run.code, describeRun(rootless.run)).toBe(0);
      // Not root: the preflight would have refused mode root. mmdebstrap does not echo its
      // --mode, but its build step ran to the end as this user.
      const line = /^\[\d+\/\d+\] mmdebstrap bookworm \.\.\. \d+\.\ds$/m.exec(rootless.run.output);
      expect(line, 'no finished mmdebstrap step').not.toBeNull();
      console.log(`platforms e2e: rootless ${line![0]}`);
    });

    it('gives the same tarball, byte for byte, as the root build', () => {
      const sum = (file: string) => must('sha256sum', [file]).split(' ')[0];
      const [unshare, rooted] = [join(rootless.out, 'rootfs.tar.zst'), join(multi.out, 'rootfs-amd64.tar.zst')];
      const same = sum(unshare) === sum(rooted);
      expect(same ? '' : listingDiff(unshare, rooted)).toBe('');
      expect(sum(unshare)).toBe(sum(rooted));
      // Owners are kept although no root wrote them.
      const shadow = must('tar', ['-tv', '--numeric-owner', '-f', join(rootless.out, 'rootfs.tar.zst'), './etc/shadow']);
      expect(shadow).toMatch(/ 0\/42 /);
    });

    it('gives the same OCI layer and config as the root build (but the records it names), and skopeo and podman read it', () => {
      const single = JSON.parse(readFileSync(join(rootless.out, 'oci-layout/index.json'), 'utf8')) as Index;
      const refs = single.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']);
      expect(refs).toContain('bookworm');
      expect(refs.some((ref) => /^12\.\d+$/.test(ref ?? ''))).toBe(true);
      const multiTop = JSON.parse(readFileSync(join(multi.out, 'oci-layout/index.json'), 'utf8')) as Index;
      const multiIndex = JSON.parse(
        readFileSync(join(multi.out, 'oci-layout/blobs/sha256', multiTop.manifests[0]!.digest.slice(7)), 'utf8'),
      ) as Index;
      const amd64 = multiIndex.manifests.find((m) => m.platform?.architecture === 'amd64')!;
      // Equal tarballs, equal layers; the configs differ only in the record labels, which
      // name rootfs.manifest here and rootfs-amd64.manifest in the two-architecture build.
      const blob = (out: string, digest: string) => JSON.parse(readFileSync(join(out, 'oci-layout/blobs/sha256', digest.slice(7)), 'utf8'));
      expect(new Set(single.manifests.map((m) => m.digest)).size).toBe(1);
      const singleManifest = blob(rootless.out, single.manifests[0]!.digest);
      const multiManifest = blob(multi.out, amd64.digest);
      expect(singleManifest.layers).toEqual(multiManifest.layers);
      const singleConfig = blob(rootless.out, singleManifest.config.digest);
      const multiConfig = blob(multi.out, multiManifest.config.digest);
      expect(singleConfig.config.Labels['mkimage-gen.manifest']).toBe('rootfs.manifest');
      expect(multiConfig.config.Labels['mkimage-gen.manifest']).toBe('rootfs-amd64.manifest');
      // The history names the tarball too.
      for (const config of [singleConfig, multiConfig]) {
        config.config.Labels = withoutRecordLabels(config.config.Labels);
        config.history = config.history.map((h: { created_by: string }) => ({ ...h, created_by: h.created_by.replace(/rootfs(-amd64)?\.tar\.zst$/, '<tarball>') }));
      }
      expect(singleConfig).toEqual(multiConfig);

      const inspect = JSON.parse(
        must('skopeo', ['inspect', `oci:${join(rootless.out, 'oci-layout')}:bookworm`], { env: { PATH: SYSTEM_PATH, HOME: root } }),
      ) as { Env: string[]; Labels: Record<string, string> };
      expect(inspect.Env).toContain('LANG=ja_JP.UTF-8');
      expect(withoutRecordLabels(inspect.Labels)).toMatchObject(LABELS);
      // The version and created labels the import gives.
      expect(inspect.Labels['org.opencontainers.image.version']).toMatch(/^12\.\d+$/);
      expect(Date.parse(inspect.Labels['org.opencontainers.image.created']!)).toBeLessThan(Date.now() - 60_000);

      // umoci (another OCI implementation) lists the same tags.
      const tags = must('umoci', ['ls', '--layout', join(rootless.out, 'oci-layout')]).split('\n');
      expect(tags).toContain('bookworm');

      store = new ContainerStore(join(root, 'store'));
      const loaded = store.podman(['load', '-i', join(rootless.out, 'oci-image.tar')]);
      expect(loaded.status, loaded.stderr).toBe(0);
      const config = JSON.parse(store.podman(['image', 'inspect', 'mkimage-e2e/platforms:bookworm']).stdout) as {
        Config: { Cmd: string[]; Env: string[] };
        Created: string;
      }[];
      expect(config[0]!.Config.Cmd).toEqual(['bash']);
      expect(config[0]!.Config.Env).toContain('LANG=ja_JP.UTF-8');
      // created is SOURCE_DATE_EPOCH, a Release date in the past, not the build's clock.
      expect(Date.parse(config[0]!.Created)).toBeLessThan(Date.now() - 60_000);
    });
  });

  it('leaves no test user behind once removed', () => {
    if (!user) throw new Error('no test user was made');
    removeUser(user);
    expect(sh('id', [user.name]).status).not.toBe(0);
    expect(readFileSync('/etc/subuid', 'utf8')).not.toContain(`${user.name}:`);
    user = undefined;
  });
});
