// The BuildKit path, end to end on the real engine (dockerd 26, buildx 0.13, the docker
// driver), with no --privileged and no entitlement. A project of two mmdebstrap configs
// (bookworm with a derived image; trixie with a file, a user and a hook) is generated,
// and one `docker buildx bake buildkit` builds everything from nothing but the generated
// files, with a builder image the test makes: no registry is reachable, so the host's
// mmdebstrap builds its rootfs and `docker import` makes it an image. Then: checks inside
// each image; the trixie image's files against a host build's tarball of the same config;
// a second bake (no cache) gives the same image id; the records validate. A second case
// bakes the bookworm base for amd64 and arm64 (qemu), each pushed to a local registry,
// and joins them into one index with `docker buildx imagetools create`.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planImage } from '../../src/generate.js';
import type { SettingsInput } from '../../src/model/index.js';
import { cycloneDxErrors } from '../helpers/sbom.js';
import { dockerPrerequisites, DockerEngine } from './support/docker.js';
import { describeE2E, makeTempRoot, must, removeTree, which } from './support/host.js';
import { renderConfig, runScript, stopScripts, describeRun } from './support/script.js';

const prereq = await dockerPrerequisites();
for (const [command, pkg] of [
  ['mmdebstrap', 'mmdebstrap'],
  ['qemu-aarch64-static', 'qemu-user-static'],
  ['arch-test', 'arch-test'],
  ['docker-registry', 'docker-registry'],
] as const) {
  if (!which(command)) prereq.problems.push(`${command} is missing (apt: ${pkg})`);
}
const BINFMT = '/proc/sys/fs/binfmt_misc/qemu-aarch64';
if (!existsSync(BINFMT) || !readFileSync(BINFMT, 'utf8').startsWith('enabled')) {
  prereq.problems.push(`arm64 binaries do not run here (${BINFMT}): bash .ci/deps registers qemu-aarch64`);
}

const BUILDER = 'local/mkimage-e2e-builder:1';
const EPOCH = '1700000000';
const LOCALES = { generate: ['ja_JP.UTF-8'], default: 'ja_JP.UTF-8' };
const HOOK_MARKER = '/etc/e2e-hook-ran';
const USER = { name: 'appuser', uid: 1234 };
const FILE = { path: '/etc/e2e/greeting', content: 'from the BuildKit path\n' };

/** What each phase cost, in the log (README, "End-to-end tests"); never asserted. */
const timings: Record<string, number> = {};
function timed<T>(what: string, run: () => T): T {
  const start = Date.now();
  try {
    return run();
  } finally {
    timings[what] = Math.round((Date.now() - start) / 100) / 10;
    console.log(`buildkit e2e: ${what} took ${timings[what]}s`);
  }
}

/** name, mode+type, owner, link target (and size for files) of each entry of a tar listing, one line each. */
function entries(listing: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of listing.trimEnd().split('\n')) {
    // -rwxr-sr-x 0/42 80376 2023-... ./usr/bin/chage  (links: name -> target)
    const m = /^(\S+) (\d+)\/(\d+)\s+(\d+(?:,\s*\d+)?)\s+\S+ \S+ (.*)$/.exec(line);
    if (!m) throw new Error(`unexpected tar listing line: ${line}`);
    const [, mode, uid, gid, size, rest] = m;
    let name = rest!;
    let target = '';
    if (mode!.startsWith('l') || mode!.startsWith('h')) {
      const arrow = mode!.startsWith('l') ? ' -> ' : ' link to ';
      [name, target] = [rest!.slice(0, rest!.indexOf(arrow)), rest!.slice(rest!.indexOf(arrow) + arrow.length)];
    }
    name = name.replace(/^\.?\//, '').replace(/\/$/, '');
    if (name === '' || name === '.') continue;
    // Hard links: tar names the first path; which one comes first is the tool's choice.
    const kind = mode!.startsWith('h') ? '-' + mode!.slice(1) : mode!;
    map.set(name, `${kind} ${uid}:${gid} ${kind.startsWith('-') ? size : ''} ${mode!.startsWith('l') ? target : ''}`.trimEnd());
  }
  return map;
}

/** docker-registry (apt) on 127.0.0.1, storing under dir; dockerd and buildx take loopback registries over plain http. */
async function startRegistry(dir: string): Promise<{ address: string; stop: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const port = 15000 + Math.floor(Math.random() * 5000);
  const config = join(dir, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn(which('docker-registry')!, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) {
      return {
        address: `127.0.0.1:${port}`,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not answer on 127.0.0.1:${port}: ${stderr}`);
}

/**
 * The builder image's rootfs, kept between runs under MKIMAGE_E2E_CACHE (default
 * /var/cache/mkimage-gen-e2e) by the packages and mirror it was made of, so a second run
 * downloads and unpacks nothing; a week old, it is made again.
 */
function builderTarball(packages: string[], mirror: string): string {
  const cache = process.env.MKIMAGE_E2E_CACHE ?? '/var/cache/mkimage-gen-e2e';
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  const key = createHash('sha256').update(JSON.stringify({ packages, mirror })).digest('hex').slice(0, 16);
  const tarball = join(cache, `builder-bookworm-${key}.tar`);
  if (existsSync(tarball) && Date.now() - statSync(tarball).mtimeMs < 7 * 24 * 3600 * 1000) return tarball;
  // mmdebstrap picks its output format by the name's extension: the partial one ends in .tar too.
  const partial = join(cache, `.partial-builder-bookworm-${key}.tar`);
  must('mmdebstrap', ['--mode=root', '--variant=minbase', `--include=${packages.join(',')}`, 'bookworm', partial, `deb ${mirror} bookworm main`], {
    timeout: 1_200_000,
  });
  renameSync(partial, tarball);
  return tarball;
}

describeE2E('the BuildKit path: a two-config project baked unprivileged', prereq, (mirrors) => {
  let root: string;
  let out: string;
  let engine: DockerEngine | undefined;

  const bookworm = (): SettingsInput => ({
    name: 'local/bk-bookworm',
    distro: 'debian',
    suite: 'bookworm',
    backend: 'mmdebstrap',
    variant: 'minbase',
    mirror: mirrors.mirror,
    securityMirror: mirrors.securityMirror,
    upgrade: false,
    locales: LOCALES,
    output: { compression: 'gzip', import: 'none' },
    derived: [{ name: 'local/bk-app', env: { APP_MODE: 'e2e' }, cmd: ['sh', '-c', 'echo "$APP_MODE"'] }],
  });
  const trixie = (): SettingsInput => ({
    name: 'local/bk-trixie',
    distro: 'debian',
    suite: 'trixie',
    backend: 'mmdebstrap',
    variant: 'minbase',
    mirror: mirrors.mirror,
    securityMirror: mirrors.securityMirror,
    upgrade: false,
    timezone: 'Asia/Tokyo',
    files: [{ source: 'files/greeting', path: FILE.path, mode: '0640', owner: `${USER.name}:${USER.name}` }],
    users: [{ name: USER.name, uid: USER.uid }],
    hooks: [{ stage: 'after-packages', script: 'hooks/marker.sh' }],
    output: { compression: 'zstd', import: 'none' },
  });

  const bake = (targets: string[], extra: string[] = []) =>
    engine!.mustBake(join(out, 'docker-bake.hcl'), {
      cwd: out,
      targets,
      set: extra,
      timeout: 1_500_000,
      env: { MKIMAGE_BUILDER_IMAGE: BUILDER, SOURCE_DATE_EPOCH: EPOCH },
    });

  beforeAll(async () => {
    root = makeTempRoot('buildkit');
    // The configs beside their files, as a user has them; one generate writes the project.
    mkdirSync(join(root, 'files'), { recursive: true });
    mkdirSync(join(root, 'hooks'), { recursive: true });
    writeFileSync(join(root, 'files/greeting'), FILE.content);
    writeFileSync(join(root, 'hooks/marker.sh'), `#!/bin/sh\nset -eu\nid ${USER.name} > ${HOOK_MARKER}\n`, { mode: 0o755 });
    await renderConfig(root, 'bk-trixie', trixie());
    const rendered = await renderConfig(root, 'bk-bookworm', bookworm());
    out = join(root, 'out');
    // renderConfig writes one config and the bake file of what it rendered: write both at once.
    const { loadSelection } = await import('../../src/cli/entries.js');
    const { renderAll } = await import('../../src/generate.js');
    const { writeTree } = await import('../../src/io/tree.js');
    const { entries: all, bakeOrigin } = loadSelection({ configs: [join(root, 'bk-bookworm.yaml'), join(root, 'bk-trixie.yaml')], sets: [], out, cwd: root });
    writeTree(out, await renderAll(all, bakeOrigin));
    expect(existsSync(join(rendered.dir, 'Dockerfile.buildkit'))).toBe(true);

    engine = await DockerEngine.start({ label: 'buildkit-engine' });
    // The builder image: what both configs' Dockerfile.buildkit installs, plus qemu for
    // the arm64 case, from the host's mirror, made an image with docker import.
    const packages = new Set<string>();
    for (const entry of all) for (const p of planImage(entry).buildkit!.dockerfile.packages) packages.add(p);
    packages.add('arch-test').add('qemu-user-static');
    timed('builder image (host mmdebstrap, kept between runs, + docker import)', () => {
      engine!.importTarball(builderTarball([...packages].sort(), mirrors.mirror), BUILDER);
    });
  });

  afterAll(async () => {
    await stopScripts();
    await engine?.stop();
    if (root) removeTree(root);
  });

  it('one bake builds every image and the records, unprivileged', () => {
    const log = timed('bake buildkit (cold)', () => bake(['buildkit']));
    expect(log).not.toMatch(/--privileged|security\.insecure/);
    for (const ref of ['local/bk-bookworm:bookworm', 'local/bk-app:bookworm', 'local/bk-trixie:trixie']) expect(engine!.imageExists(ref), ref).toBe(true);
    for (const id of ['bk-bookworm', 'bk-trixie']) {
      const records = readdirSync(join(out, id, 'buildkit-records')).sort();
      expect(records).toEqual(expect.arrayContaining(['build-vars.hcl', expect.stringMatching(/\.manifest$/), expect.stringMatching(/\.cdx\.json$/)]));
      expect(records.some((f) => /\.tar(\.\w+)?$/.test(f))).toBe(false);
    }
  }, 1_800_000);

  it('checks inside each image: locales, tweaks, sources, the user, the file, the hook marker, the derived image', () => {
    const b = engine!.mustRun('local/bk-bookworm:bookworm', 'echo "$LANG"; locale -a | grep -ci ja_JP; cat /usr/sbin/policy-rc.d | tail -n 1; grep -h "^deb\\|^URIs\\|^Suites" /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sort -u | wc -l');
    const [lang, locales, policy, sources] = b.trimEnd().split('\n');
    expect(lang).toBe('ja_JP.UTF-8');
    expect(Number(locales)).toBeGreaterThan(0);
    expect(policy).toBe('exit 101');
    expect(Number(sources)).toBeGreaterThan(0);
    expect(engine!.run('local/bk-app:bookworm', []).stdout).toBe('e2e\n');
    const t = engine!.mustRun('local/bk-trixie:trixie', `id -u ${USER.name}; stat -c '%a %U' ${FILE.path}; cat ${FILE.path}; cat ${HOOK_MARKER}; cat /etc/timezone; stat -c '%a %u:%g' /usr/bin/chage`);
    expect(t).toMatch(new RegExp(`^${USER.uid}\n640 ${USER.name}\n${FILE.content}uid=${USER.uid}\\(${USER.name}\\) gid=\\d+\\(${USER.name}\\).*\nAsia/Tokyo\n2755 0:42\n$`));
  }, 300_000);

  it('the records validate: CycloneDX, the manifest is dpkg-query in the image, the build record says BuildKit', async () => {
    const dir = join(out, 'bk-trixie', 'buildkit-records');
    expect(await cycloneDxErrors(readFileSync(join(dir, 'rootfs.cdx.json'), 'utf8'))).toBeNull();
    const query = engine!.mustRun('local/bk-trixie:trixie', "dpkg-query -W -f='${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\n'");
    const installed = query.split('\n').filter((l) => l.startsWith('ii ')).map((l) => l.split('\t').slice(1).join('\t')).sort();
    const manifest = readFileSync(join(dir, 'rootfs.manifest'), 'utf8').trimEnd().split('\n').sort();
    expect(manifest).toEqual(installed);
    const record = JSON.parse(readFileSync(join(dir, 'rootfs.build.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(record)).toContain('"builtOn":"buildkit"');
  }, 120_000);

  it("the image's files equal a host build's tarball of the same config (differences listed)", async () => {
    const hostOut = join(root, 'host-build');
    const run = await (async () => {
      const start = Date.now();
      const r = await runScript(join(out, 'bk-trixie', 'mkimage.sh'), ['--output-dir', hostOut]);
      timings['host script build (trixie)'] = (Date.now() - start) / 1000;
      console.log(`buildkit e2e: host script build (trixie) took ${timings['host script build (trixie)']}s`);
      return r;
    })();
    expect(run.code, describeRun(run)).toBe(0);
    const host = entries(must('tar', ['-tv', '--numeric-owner', '-f', join(hostOut, 'rootfs.tar.zst')]));
    const container = engine!.mustDocker(['create', 'local/bk-trixie:trixie']).trim();
    const exported = join(root, 'export.tar');
    engine!.mustDocker(['export', '-o', exported, container]);
    engine!.mustDocker(['rm', container]);
    const image = entries(must('tar', ['-tv', '--numeric-owner', '-f', exported]));
    const differences: string[] = [];
    for (const [name, v] of host) if (image.get(name) !== v) differences.push(`${name}: host ${v} | image ${image.get(name) ?? 'missing'}`);
    for (const [name, v] of image) if (!host.has(name)) differences.push(`${name}: host missing | image ${v}`);
    console.log(`buildkit e2e: ${differences.length} differences between the host tarball and the image:\n${differences.join('\n')}`);
    // docker export adds what every container has (.dockerenv, the engine's /etc files and
    // /dev, /proc, /sys mount points); nothing else may differ.
    const engineOwn = /^(\.dockerenv|etc\/(hostname|hosts|resolv\.conf|mtab)|dev(\/.*)?|proc|sys)$/;
    expect(differences.filter((d) => !engineOwn.test(d.slice(0, d.indexOf(':'))))).toEqual([]);
    // Same packages: the host build's manifest and the BuildKit build's.
    expect(readFileSync(join(hostOut, 'rootfs.manifest'), 'utf8')).toBe(readFileSync(join(out, 'bk-trixie', 'buildkit-records', 'rootfs.manifest'), 'utf8'));
  }, 1_200_000);

  it('a second bake with no cache gives the same image id (the package cache mount downloads nothing)', () => {
    const first = engine!.mustDocker(['image', 'inspect', '--format', '{{.Id}}', 'local/bk-trixie:trixie']).trim();
    const log = timed('bake bk-trixie-buildkit-base again, --no-cache (warm package cache)', () => bake(['bk-trixie-buildkit-base'], ['*.no-cache=true']));
    const second = engine!.mustDocker(['image', 'inspect', '--format', '{{.Id}}', 'local/bk-trixie:trixie']).trim();
    expect(log).toContain('--buildkit');
    expect(second).toBe(first);
  }, 1_200_000);

  // The docker driver builds one platform into the engine's store at a time: this is the
  // README's CI recipe (one bake per platform, pushed, joined by imagetools create), with a
  // local registry standing in for the team's.
  it('bakes two platforms (amd64 + arm64 through qemu) and joins them into one index', async () => {
    const registry = await startRegistry(join(root, 'registry'));
    try {
      const repo = `${registry.address}/bk-bookworm`;
      for (const platform of ['amd64', 'arm64']) {
        timed(`bake bk-bookworm base for ${platform}, pushed to a local registry`, () =>
          bake(['bk-bookworm-buildkit-base'], [`*.platform=linux/${platform}`, `*.tags=${repo}:bookworm-${platform}`, '*.output=type=image,push=true']),
        );
      }
      engine!.mustDocker(['buildx', 'imagetools', 'create', '-t', `${repo}:bookworm`, `${repo}:bookworm-amd64`, `${repo}:bookworm-arm64`]);
      const index = JSON.parse(engine!.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', `${repo}:bookworm`])) as {
        mediaType: string;
        manifests: { platform: { architecture: string; os: string } }[];
      };
      expect(index.mediaType).toMatch(/manifest\.list|image\.index/);
      expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64']);
      // The arm64 image is arm64 inside: its dpkg says so (run through qemu).
      expect(engine!.mustRun(`${repo}:bookworm-arm64`, 'dpkg --print-architecture; echo "$LANG"', { runArgs: ['--platform', 'linux/arm64'] })).toBe('arm64\nja_JP.UTF-8\n');
    } finally {
      await registry.stop();
    }
  }, 2_400_000);
});
