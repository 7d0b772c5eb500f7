// End to end, the harness itself: the Docker Engine from .ci/docker-engine starts with
// its own state, imports and runs an image, builds with `docker buildx bake` through a
// named `target:` context (what bookworm's own engine refuses), unpacks a .tar.zst in
// ADD, and its containers reach the mirror and the host; the local signed apt
// repository answers apt with its key and refuses a wrong one; and stopping both leaves
// no process, mount, bridge, firewall rule or file behind. Cheap on purpose: a busybox
// rootfs, seconds per test.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planImage, renderImage } from '../../src/generate.js';
import { validateSettings } from '../../src/model/index.js';
import { aptRepoProblems, makeSigningKey, PrivateApt, startAptRepo, type AptRepo } from './support/apt-repo.js';
import { dockerPrerequisites, DockerEngine, dockerdPids } from './support/docker.js';
import { describeE2E, makeTempRoot, must, removeTree, sh, which } from './support/host.js';

const prereq = await dockerPrerequisites();
prereq.problems.push(...aptRepoProblems());
if (!which('busybox')) prereq.problems.push('missing tool: busybox, a static one for the test image (apt: busybox-static)');

describeE2E('Docker Engine and the local signed apt repository (the e2e harness)', prereq, (mirrors) => {
  let work: string;
  let engine: DockerEngine | undefined;
  let repo: AptRepo | undefined;
  let rootfsTar: string;

  beforeAll(async () => {
    work = makeTempRoot('engine-test');
    engine = await DockerEngine.start({ label: 'engine' });
    console.log(`dockerd up in ${engine.startMs} ms (${engine.root}, bridge ${engine.bridge} ${engine.subnet}/24)`);
    // Served on loopback for the host and on the bridge for containers.
    repo = await startAptRepo({ addresses: ['127.0.0.1', engine.gateway] });

    // A rootfs of one static busybox and its applet links: a real image in a few MB.
    const rootfs = join(work, 'rootfs');
    for (const dir of ['bin', 'etc', 'tmp']) mkdirSync(join(rootfs, dir), { recursive: true });
    must('cp', [which('busybox')!, join(rootfs, 'bin/busybox')]);
    for (const applet of ['sh', 'cat', 'echo', 'wget', 'ls', 'grep', 'head', 'test']) symlinkSync('busybox', join(rootfs, 'bin', applet));
    writeFileSync(join(rootfs, 'etc/e2e-release'), 'mkimage-gen e2e busybox\n');
    rootfsTar = join(work, 'rootfs.tar');
    must('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', rootfsTar, '.']);
  });

  afterAll(async () => {
    // The last test stops both and checks; this is the path for a failure half-way.
    await engine?.stop();
    await repo?.stop();
    if (work) removeTree(work);
  });

  it("runs trixie's engine (26.x) and buildx (0.13) from the prefix, not a docker on the PATH", () => {
    const version = JSON.parse(engine!.mustDocker(['version', '--format', '{{json .}}'])) as {
      Client: { Version: string };
      Server: { Version: string; Components: Array<{ Name: string; Version: string }> };
    };
    expect(version.Server.Version).toMatch(/^26\./);
    expect(version.Client.Version).toMatch(/^26\./);
    expect(version.Server.Components.map((c) => c.Name)).toContain('containerd');
    expect(engine!.mustDocker(['buildx', 'version'])).toMatch(/ 0\.13\./);
    const info = JSON.parse(engine!.mustDocker(['info', '--format', '{{json .}}'])) as { Driver: string; DockerRootDir: string };
    expect(info.Driver).toBe('vfs');
    expect(info.DockerRootDir).toBe(join(engine!.root, 'data'));
  });

  it('imports a rootfs tarball and runs it', () => {
    engine!.importTarball(rootfsTar, 'local/e2e-busybox:1', ['ENV E2E=imported']);
    expect(engine!.imageExists('local/e2e-busybox:1')).toBe(true);
    expect(engine!.mustRun('local/e2e-busybox:1', 'cat /etc/e2e-release; echo "$E2E"')).toBe('mkimage-gen e2e busybox\nimported\n');
    const failed = engine!.run('local/e2e-busybox:1', ['sh', '-c', 'exit 3']);
    expect(failed.status).toBe(3);
  });

  it('gives containers the network: the mirror through the bridge, the host at the gateway', () => {
    const release = engine!.mustRun('local/e2e-busybox:1', `wget -q -O - '${mirrors.mirror}/dists/trixie/Release' | head -n 20`);
    expect(release).toMatch(/^Codename: trixie$/m);
    const inRelease = engine!.mustRun(
      'local/e2e-busybox:1',
      `wget -q -O - '${repo!.urls[engine!.gateway]}/dists/${repo!.suite}/InRelease'`,
    );
    expect(inRelease).toContain('-----BEGIN PGP SIGNED MESSAGE-----');
    expect(inRelease).toMatch(new RegExp(`^Suite: ${repo!.suite}$`, 'm'));
  }, 120_000);

  it('bakes a derived image whose base comes from a named `target:` context; RUN reaches mirror and host', () => {
    const bake = join(work, 'bake');
    mkdirSync(join(bake, 'base'), { recursive: true });
    mkdirSync(join(bake, 'derived'), { recursive: true });
    writeFileSync(join(bake, 'base/Dockerfile'), 'FROM local/e2e-busybox:1\nCOPY greeting /etc/greeting\n');
    writeFileSync(join(bake, 'base/greeting'), 'from the base target\n');
    // The derived Dockerfile names the base image; bake hands it the base target instead
    // of the store's image, as the generated bake files do.
    // Its RUN steps reach the network as containers do: the mirror, and the host at the gateway.
    writeFileSync(
      join(bake, 'derived/Dockerfile'),
      [
        'FROM local/e2e-base:1',
        'ARG MIRROR REPO',
        'RUN cat /etc/greeting > /etc/derived',
        'RUN wget -q -O /etc/mirror-release "$MIRROR/dists/trixie/Release" && wget -q -O /etc/repo-inrelease "$REPO"',
        'CMD ["cat", "/etc/derived"]',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(bake, 'docker-bake.hcl'),
      [
        'group "default" {',
        '  targets = ["base", "derived"]',
        '}',
        '',
        'target "base" {',
        '  context = "base"',
        '  tags = ["local/e2e-base:1"]',
        '}',
        '',
        'target "derived" {',
        '  context = "derived"',
        '  tags = ["local/e2e-derived:1"]',
        '  contexts = {',
        '    "local/e2e-base:1" = "target:base"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const log = engine!.mustBake(join(bake, 'docker-bake.hcl'), {
      cwd: bake,
      set: [`derived.args.MIRROR=${mirrors.mirror}`, `derived.args.REPO=${repo!.urls[engine!.gateway]}/dists/${repo!.suite}/InRelease`],
    });
    console.log(`bake of two targets: ${Date.now() - started} ms`);
    expect(log).not.toContain('unsupported frontend capability');
    expect(engine!.imageExists('local/e2e-base:1')).toBe(true);
    expect(engine!.run('local/e2e-derived:1', []).stdout).toBe('from the base target\n');
    expect(engine!.mustRun('local/e2e-derived:1', 'grep -c "^Codename: trixie$" /etc/mirror-release; head -n 1 /etc/repo-inrelease')).toBe(
      '1\n-----BEGIN PGP SIGNED MESSAGE-----\n',
    );
  }, 180_000);

  it('unpacks a .tar.zst in ADD (Docker 26 does; 20.10 left it compressed)', () => {
    const ctx = join(work, 'zst');
    mkdirSync(ctx, { recursive: true });
    must('zstd', ['-q', '-3', rootfsTar, '-o', join(ctx, 'rootfs.tar.zst')]);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nADD rootfs.tar.zst /\nCMD ["cat", "/etc/e2e-release"]\n');
    engine!.mustDocker(['buildx', 'build', '--progress', 'plain', '--load', '-t', 'local/e2e-zst:1', ctx]);
    const result = engine!.run('local/e2e-zst:1', []);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('mkimage-gen e2e busybox\n');
  }, 120_000);

  it("builds the generated multi-platform base Dockerfile: each platform's labels name its own records", () => {
    const settings = validateSettings({ name: 'local/e2e-multi', distro: 'debian', suite: 'bookworm', arch: ['amd64', 'arm64'], mirror: mirrors.mirror, securityMirror: mirrors.securityMirror, output: { compression: 'gzip' } }, 'e2e');
    const ctx = join(work, 'multi');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), renderImage(planImage({ id: 'multi', settings, origin: { generatedFrom: 'e2e', regenerate: 'e2e' } })).find((f) => f.path === 'Dockerfile')!.content);
    must('sh', ['-c', 'gzip -n < "$1" > "$2"', 'sh', rootfsTar, join(ctx, 'rootfs-arm64.tar.gz')]);
    // ADD only: no binary of the platform runs, so no emulation is needed.
    engine!.mustDocker(['buildx', 'build', '--progress', 'plain', '--platform', 'linux/arm64', '--load', '-t', 'local/e2e-multi:arm64', ctx]);
    const labels = (engine!.inspect('local/e2e-multi:arm64').Config as { Labels: Record<string, string> }).Labels;
    expect(labels).toMatchObject({ 'mkimage-gen.manifest': 'rootfs-arm64.manifest', 'mkimage-gen.build-record': 'rootfs-arm64.build.json', 'mkimage-gen.checksums': 'rootfs-arm64.tar.gz.sha256' });
    expect(JSON.stringify(labels)).not.toContain('<arch>');
  }, 120_000);

  it('serves a signed repository that apt accepts with Signed-By its key, armored or binary', () => {
    for (const keyFile of [repo!.key.armored, repo!.key.binary]) {
      const apt = new PrivateApt(join(work, `apt-${keyFile.endsWith('.asc') ? 'asc' : 'gpg'}`), [repo!.sourcesLine(keyFile)]);
      const update = apt.update();
      expect(update.status, update.stdout + update.stderr).toBe(0);
      expect(update.stdout + update.stderr).not.toMatch(/^(W|E):/m);
      const { deb, result } = apt.download(repo!.package.name);
      expect(deb, result.stdout + result.stderr).toBeDefined();
      expect(must('dpkg-deb', ['-f', deb!, 'Package', 'Version'])).toBe(
        `Package: ${repo!.package.name}\nVersion: ${repo!.package.version}\n`,
      );
      expect(must('dpkg-deb', ['-c', deb!])).toContain(`.${repo!.package.file}`);
    }
    const release = readFileSync(join(repo!.root, 'repo/dists', repo!.suite, 'Release'), 'utf8');
    for (const field of ['Origin', 'Label', 'Suite', 'Codename', 'Date', 'Architectures', 'Components']) {
      expect(release).toMatch(new RegExp(`^${field}: \\S`, 'm'));
    }
    expect(repo!.requests).toContain(`/dists/${repo!.suite}/InRelease`);
  }, 120_000);

  it('refuses the repository when Signed-By names another key', () => {
    const other = makeSigningKey(join(work, 'other-key'), 'other', 'someone else <other@mkimage-gen.invalid>');
    try {
      expect(other.fingerprint).not.toBe(repo!.key.fingerprint);
      const apt = new PrivateApt(join(work, 'apt-wrong'), [repo!.sourcesLine(other.armored)]);
      const update = apt.update();
      expect(update.stdout + update.stderr).toMatch(/NO_PUBKEY|not signed|signature/i);
      expect(update.status).not.toBe(0);
      const { deb } = apt.download(repo!.package.name);
      expect(deb).toBeUndefined();
    } finally {
      other.close();
    }
  }, 120_000);

  it('stops: no dockerd, containerd or gpg-agent left, no mount, bridge, rule or file', async () => {
    const { root, bridge, pid } = engine!;
    const report = await engine!.stop();
    console.log(`dockerd stopped in ${report.stopMs} ms`);
    expect(report.killed, 'processes that outlived dockerd').toEqual([]);
    expect(report.unmounted, 'mounts left under the engine directory').toEqual([]);
    expect(dockerdPids()).not.toContain(pid);
    const left = sh('pgrep', ['-a', '-f', root]).stdout.trim();
    expect(left, 'processes naming the engine directory').toBe('');
    expect(existsSync(root)).toBe(false);
    expect(existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    for (const table of ['filter', 'nat']) expect(must('iptables-save', ['-t', table])).not.toContain(bridge);

    const { root: repoRoot, port } = repo!;
    await repo!.stop();
    expect(existsSync(repoRoot)).toBe(false);
    expect(sh('pgrep', ['-a', '-f', repoRoot]).stdout.trim(), 'gpg-agent of the throwaway key').toBe('');
    await expect(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  }, 120_000);
});
