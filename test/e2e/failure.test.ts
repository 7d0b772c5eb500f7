// End to end: how the generated mkimage.sh behaves when things go wrong. A small
// bookworm config (no upgrade, no import) keeps the runs short; interrupted runs are
// cut short by the test. Every promise of the script's contract is checked on the
// host: exit status, mounts (/proc/self/mounts), its work directory, processes left in
// the chroot, and the output directory. Interrupts during the locale step, and the
// re-run that must then succeed, are in build.test.ts: its builds are those re-runs.
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsInput } from '../../src/model/index.js';
import { describeE2E, makeTempRoot, mountsUnder, prerequisites, removeTree, SYSTEM_PATH } from './support/host.js';
import type { HostMirrors } from './support/mirrors.js';
import { expectCleanInterrupt, interruptDuring, snapshot } from './support/interrupt.js';
import { describeRun, renderConfig, runScript, stopScripts, type Finished, type Rendered } from './support/script.js';

const NOBODY = { uid: 65534, gid: 65534 };
const TARBALL = 'rootfs.tar.zst';

function smallConfig(mirrors: Pick<HostMirrors, 'mirror' | 'securityMirror'>, changes: Partial<SettingsInput> = {}): SettingsInput {
  return {
    name: 'mkimage-e2e/failure',
    distro: 'debian',
    suite: 'bookworm',
    variant: 'minbase',
    mirror: mirrors.mirror,
    securityMirror: mirrors.securityMirror,
    upgrade: false,
    locales: { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' },
    output: { compression: 'zstd', import: 'none' },
    ...changes,
  };
}

/** A port on 127.0.0.1 that nothing listens on: bound by the kernel's choice, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A PATH that has every command of the system PATH except one. */
function pathWithout(dir: string, command: string): string {
  mkdirSync(dir, { recursive: true });
  for (const source of SYSTEM_PATH.split(':').reverse()) {
    if (!existsSync(source)) continue;
    for (const name of readdirSync(source)) {
      if (name === command) continue;
      const target = join(dir, name);
      if (existsSync(target)) continue;
      try {
        symlinkSync(join(source, name), target);
      } catch {
        // a name seen twice (/bin and /usr/bin): the first kept wins
      }
    }
  }
  return dir;
}

/** Commands that change the host. Under --dry-run none may run: each records its call. */
const MUTATING = [
  'debootstrap', 'mmdebstrap', 'mount', 'umount', 'chroot', 'podman', 'docker', 'buildah', 'tar', 'xz', 'gzip', 'zstd',
  'mv', 'rm', 'mkdir', 'rmdir', 'ln', 'cp', 'chmod', 'chown', 'mktemp', 'touch', 'install', 'dd', 'tee', 'truncate',
  'sha256sum', 'apt-get', 'dpkg', 'dpkg-divert', 'find', 'unshare', 'wget', 'curl',
];

function makeShims(dir: string, log: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of MUTATING) {
    writeFileSync(join(dir, name), `#!/bin/sh\nprintf '%s\\n' "${name} $*" >> '${log}'\nexit 97\n`, { mode: 0o755 });
  }
  return dir;
}

const prereq = await prerequisites();

describeE2E('failure behaviour of the generated script', prereq, (mirrors) => {
  let root = '';
  let small: Rendered;
  let withImport: Rendered;

  beforeAll(async () => {
    root = makeTempRoot('failure');
    small = await renderConfig(join(root, 'small'), 'small', smallConfig(mirrors));
    withImport = await renderConfig(join(root, 'import'), 'import', smallConfig(mirrors, { output: { compression: 'zstd', import: 'podman', latest: true } }));
  });

  afterAll(async () => {
    await stopScripts();
    if (!root) return;
    const leaked = removeTree(root);
    expect(leaked, 'mounts left behind under the test directory').toEqual([]);
  });

  /** A directory that nobody (uid 65534) may write: the not-root run could create things there. */
  function nobodyDir(name: string): string {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    chownSync(dir, NOBODY.uid, NOBODY.gid);
    return dir;
  }

  it('not root: refuses before doing anything', async () => {
    const area = nobodyDir('not-root');
    const run = await runScript(small.script, ['--work-dir', join(area, 'work'), '--output-dir', join(area, 'out')], { asUser: NOBODY });
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(run.stderr).toMatch(/root/);
    expect(run.started, 'no step started').toEqual([]);
    expect(readdirSync(area), 'nothing created where it could have').toEqual([]);
    expect(readdirSync(small.dir).sort()).toEqual([...small.files.map((f) => f.split('/')[0]!)].sort());
  });

  it.each([
    { command: 'debootstrap', pkg: 'debootstrap' },
    { command: 'podman', pkg: 'podman' },
    { command: 'zstd', pkg: 'zstd' },
    { command: 'chroot', pkg: 'coreutils' },
  ])('a missing tool ($command): names the package to install ($pkg) and starts nothing', async ({ command, pkg }) => {
    const path = pathWithout(join(root, `path-without-${command}`), command);
    const work = join(root, `missing-${command}-work`);
    const run = await runScript(withImport.script, ['--work-dir', work, '--output-dir', join(root, `missing-${command}-out`)], { path });
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(run.stderr).toContain(`${command} is missing: install the ${pkg} package`);
    // Only that tool is reported: the test removed nothing else.
    expect(run.stderr.match(/ is missing: /g)).toHaveLength(1);
    expect(run.started).toEqual([]);
    expect(existsSync(work)).toBe(false);
  });

  it('--dry-run prints every command and changes nothing on the host', async () => {
    const log = join(root, 'dry-run-calls.log');
    const shims = makeShims(join(root, 'shims'), log);
    const tmp = join(root, 'dry-run-tmp');
    mkdirSync(tmp);
    const work = join(root, 'dry-run-work');
    const out = join(root, 'dry-run-out');
    const mountsBefore = readFileSync('/proc/self/mounts', 'utf8');
    const sourceBefore = snapshot(small.dir);

    const results: Finished[] = [];
    for (const rendered of [small, withImport]) {
      const run = await runScript(rendered.script, ['--dry-run', '--work-dir', work, '--output-dir', out], {
        path: `${shims}:${SYSTEM_PATH}`,
        env: { TMPDIR: tmp },
      });
      expect(run.code, describeRun(run)).toBe(0);
      results.push(run);
    }
    // Nothing ran that changes the host, and nothing changed.
    // Queries that read the host are allowed (the preflight asks dpkg for the host's architecture).
    const READ_ONLY = new Set(['dpkg --print-architecture']);
    const executed = (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter((line) => line !== '' && !READ_ONLY.has(line));
    expect(executed, 'commands the dry run executed').toEqual([]);
    expect(existsSync(work)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
    expect(snapshot(small.dir)).toEqual(sourceBefore);
    expect(readFileSync('/proc/self/mounts', 'utf8')).toBe(mountsBefore);

    // The full command list, in order: bootstrap, mounts, tweaks, sources, apt, locales, unmount, pack, rename.
    const [plain, imported] = results as [Finished, Finished];
    const lines = plain.stdout.split('\n');
    const at = (re: RegExp, what: string) => {
      const i = lines.findIndex((l) => re.test(l));
      expect(i, `dry run prints ${what}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const order = [
      // One rootfs per architecture: rootfs-amd64.
      at(new RegExp(`^\\+ .*\\bdebootstrap .*--variant=minbase.* bookworm ${esc(work)}/mkimage\\.\\S+/rootfs-amd64 ${esc(mirrors.mirror)}( |$)`), 'debootstrap from the mirror into the work dir'),
      at(/^\+ mount -t proc /, 'the /proc mount'),
      at(/^\+ write \S+\/usr\/sbin\/policy-rc\.d /, 'policy-rc.d'),
      at(/^\+ write \S+\/etc\/apt\/sources\.list /, 'the apt sources'),
      at(/^\+ chroot \S+ .*apt-get update$/, 'apt-get update'),
      at(/^\+ chroot \S+ .*debconf-set-selections$/, 'the locale answers'),
      at(/^\+ chroot \S+ .*apt-get .*install --no-install-recommends locales$/, 'the locales install'),
      at(/^\+ umount \S+\/proc$/, 'the unmount'),
      at(/^\+ tar .*--numeric-owner/, 'tar --numeric-owner'),
      at(new RegExp(`^\\+ mv -f \\S+ ${esc(out)}/${esc(TARBALL)}$`), 'the rename into the output dir'),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(plain.stdout).toContain('  | exit 101');
    expect(plain.stdout).toMatch(/ja_JP\.UTF-8 UTF-8/);
    for (const suite of ['bookworm', 'bookworm-updates', 'bookworm-security']) expect(plain.stdout).toMatch(new RegExp(`  \\| deb \\S+ ${suite} main`));
    // With an import engine, the import and the tags it would make.
    expect(imported.stdout).toMatch(new RegExp(`^\\+ podman import .*${esc(out)}/${esc(TARBALL)} mkimage-e2e/failure:bookworm$`, 'm'));
    expect(imported.stdout).toMatch(/^\+ podman tag mkimage-e2e\/failure:bookworm mkimage-e2e\/failure:latest$/m);
    expect(plain.started.length).toBeGreaterThan(5);
    expect(plain.finished).toEqual(plain.started);
  });

  it('--dry-run needs no root', async () => {
    const area = nobodyDir('dry-run-nobody');
    const run = await runScript(small.script, ['--dry-run', '--work-dir', join(area, 'work'), '--output-dir', join(area, 'out')], { asUser: NOBODY });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/^\+ .*\bdebootstrap /m);
    expect(readdirSync(area)).toEqual([]);
  });

  it('unreachable mirror, building in memory (--tmpfs): exits non-zero naming the mirror; no mounts, no work dir, no output', { timeout: 300_000 }, async () => {
    const port = await closedPort();
    const dead = { mirror: `http://127.0.0.1:${port}/debian`, securityMirror: `http://127.0.0.1:${port}/debian-security` };
    const rendered = await renderConfig(join(root, 'unreachable'), 'unreachable', smallConfig(dead));
    const work = join(root, 'unreachable-work');
    const out = join(root, 'unreachable-out');
    const run = await runScript(rendered.script, ['--tmpfs', '--work-dir', work, '--output-dir', out]);
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.output).toContain(`http://127.0.0.1:${port}/debian`);
    expect(mountsUnder(work)).toEqual([]);
    expect(existsSync(work) ? readdirSync(work) : []).toEqual([]);
    expect(snapshot(out)).toEqual({});
  });

  // The locale step is interrupted in the build tests (build.test.ts), whose builds are
  // the re-runs that must then succeed: one bootstrap serves both.
  describe.concurrent('interrupted during bootstrap', () => {
    // Independent runs in their own directories, side by side to save time.
    it.for([{ signal: 'SIGTERM' }, { signal: 'SIGINT' }] as const)(
      '$signal during debootstrap: exits with 128+signal, unmounts, removes its work dir, stops its jobs, keeps the previous tarball',
      { timeout: 420_000 },
      async ({ signal }, { expect }) => {
        const base = join(root, `${signal}-bootstrap`);
        const work = join(base, 'work');
        const out = join(base, 'out');
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, TARBALL), 'previous tarball\n');
        writeFileSync(join(out, `${TARBALL}.sha256`), 'previous checksum\n');
        const before = snapshot(out);
        const interrupted = await interruptDuring(small.script, ['--work-dir', work, '--output-dir', out], {}, { work, out }, 'bootstrap', signal);
        expectCleanInterrupt(expect, interrupted, signal, before);
      },
    );
  });
});
