// The BuildKit path, end to end on the real engine (dockerd 26, buildx 0.13, the docker
// driver), with no --privileged and no entitlement. A project of two mmdebstrap configs
// (bookworm with a file, a user and a hook; trixie with the ja locale and a derived image)
// and a minimal (static profile) image is generated, and one `docker buildx bake buildkit` builds everything from nothing but
// the generated files. No registry is reachable, so the builder image is the host build
// of the bookworm config, which includes what every config's builder stage looks for
// (mmdebstrap and the preflight's tools), made an image with `docker import`: that one
// host build is also the tarball the BuildKit image's files are compared with, made by
// the same mmdebstrap (the host's bookworm one). Then: checks inside each image; a second
// bake (no cache) gives the same image id; the records validate. A second case bakes a
// two-architecture config for amd64 and arm64 (qemu), each pushed to a local registry,
// and joins them into one index with `docker buildx imagetools create`. The engine keeps
// its data in memory: vfs copies a whole layer per step.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planImage } from '../../src/generate.js';
import type { SettingsInput } from '../../src/model/index.js';
import { cycloneDxErrors } from '../helpers/sbom.js';
import { dockerPrerequisites, DockerEngine } from './support/docker.js';
import { describeE2E, makeTempRoot, must, removeTree, which } from './support/host.js';
import { startPlainRegistry } from './support/registry.js';
import { describeRun, renderProject, runScript, stopScripts } from './support/script.js';

const prereq = await dockerPrerequisites();
for (const [command, pkg] of [
  ['mmdebstrap', 'mmdebstrap'],
  ['qemu-aarch64-static', 'qemu-user-static'],
  ['zstd', 'zstd'],
  ['arch-test', 'arch-test'],
  ['docker-registry', 'docker-registry'],
] as const) {
  if (!which(command)) prereq.problems.push(`${command} is missing (apt: ${pkg})`);
}
const BINFMT = '/proc/sys/fs/binfmt_misc/qemu-aarch64';
if (!existsSync(BINFMT) || !readFileSync(BINFMT, 'utf8').startsWith('enabled')) {
  prereq.problems.push(`arm64 binaries do not run here (${BINFMT}): bash .ci/deps registers qemu-aarch64`);
}

const BUILDER = 'local/mkimage-e2e-builder:trixie';
/** The builder with qemu's arm64 binary beside it, copied from the host (mmdebstrap copies it into an arm64 rootfs). */
const ARM_BUILDER = 'local/mkimage-e2e-builder:trixie-qemu';
const QEMU_ARM64 = '/usr/bin/qemu-aarch64-static';
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

describeE2E('the BuildKit path: a two-config project baked unprivileged', prereq, (mirrors) => {
  let root: string;
  let out: string;
  let multiOut: string;
  let hostOut: string;
  let engine: DockerEngine | undefined;

  const common = { distro: 'debian', backend: 'mmdebstrap', variant: 'minbase', mirror: mirrors.mirror, securityMirror: mirrors.securityMirror, upgrade: false } as const;
  /** `include`: what the builder stages look for, so this config's host build (by the host's mmdebstrap, as the builder's) is the builder image. */
  const bookworm = (include: string[]): SettingsInput => ({
    ...common,
    name: 'local/bk-bookworm',
    suite: 'bookworm',
    include,
    timezone: 'Asia/Tokyo',
    files: [{ source: 'files/greeting', path: FILE.path, mode: '0640', owner: `${USER.name}:${USER.name}` }],
    users: [{ name: USER.name, uid: USER.uid }],
    hooks: [{ stage: 'after-packages', script: 'hooks/marker.sh' }],
    output: { compression: 'zstd', import: 'none' },
  });
  const trixie = (): SettingsInput => ({
    ...common,
    name: 'local/bk-trixie',
    suite: 'trixie',
    locales: LOCALES,
    output: { compression: 'gzip', import: 'none' },
    derived: [{ name: 'local/bk-app', env: { APP_MODE: 'e2e' }, cmd: ['sh', '-c', 'echo "$APP_MODE"'] }],
  });
  /** A minimal image (issue 23's profiles) through the same bake: no shell, no dpkg, nonroot. */
  const minimal = (): SettingsInput => ({ ...common, name: 'local/bk-static', suite: 'trixie', profile: 'static', output: { compression: 'gzip', import: 'none' } });
  /** The two-platform case's config: as small as an image gets. */
  const multi = (): SettingsInput => ({ ...common, name: 'local/bk-multi', suite: 'bookworm', arch: ['amd64', 'arm64'], output: { compression: 'gzip', import: 'none' } });

  const bake = (dir: string, targets: string[], extra: string[] = [], builder = BUILDER) =>
    engine!.mustBake(join(dir, 'docker-bake.hcl'), {
      cwd: dir,
      targets,
      set: extra,
      timeout: 1_500_000,
      env: { MKIMAGE_BUILDER_IMAGE: builder, SOURCE_DATE_EPOCH: EPOCH },
    });

  beforeAll(async () => {
    root = makeTempRoot('buildkit');
    // The configs beside their files, as a user has them.
    mkdirSync(join(root, 'files'), { recursive: true });
    mkdirSync(join(root, 'hooks'), { recursive: true });
    writeFileSync(join(root, 'files/greeting'), FILE.content);
    writeFileSync(join(root, 'hooks/marker.sh'), `#!/bin/sh\nset -eu\nid ${USER.name} > ${HOOK_MARKER}\n`, { mode: 0o755 });
    const multiProject = await renderProject(root, { 'bk-multi': multi() }, 'out-multi');
    multiOut = multiProject.out;
    // What every config's builder stage looks for, from their plans (the include changes none of it);
    // qemu's arm64 binary comes from the host, into the arm64 case's builder only.
    const first = await renderProject(root, { 'bk-bookworm': bookworm([]), 'bk-trixie': trixie(), 'bk-static': minimal() });
    const needed = new Set<string>();
    for (const entry of [...first.entries, ...multiProject.entries]) for (const p of planImage(entry).buildkit!.dockerfile.builder.packages) needed.add(p);
    needed.delete('qemu-user-static');
    out = (await renderProject(root, { 'bk-bookworm': bookworm([...needed].sort()), 'bk-trixie': trixie(), 'bk-static': minimal() })).out;
    expect(existsSync(join(out, 'bk-bookworm', 'Dockerfile.buildkit'))).toBe(true);

    engine = await DockerEngine.start({ label: 'buildkit-engine', dataInMemory: '12g' });
    hostOut = join(root, 'host-build');
    const run = await (async () => {
      const start = Date.now();
      try {
        return await runScript(join(out, 'bk-bookworm', 'mkimage.sh'), ['--output-dir', hostOut]);
      } finally {
        timings['host build of bk-bookworm'] = (Date.now() - start) / 1000;
        console.log(`buildkit e2e: host build of bk-bookworm (the builder image and the comparison) took ${timings['host build of bk-bookworm']}s`);
      }
    })();
    expect(run.code, describeRun(run)).toBe(0);
    timed('builder images (docker import of the host build; + qemu for arm64)', () => {
      engine!.importTarball(join(hostOut, 'rootfs.tar.zst'), BUILDER);
      const context = join(root, 'arm-builder');
      mkdirSync(context);
      copyFileSync(QEMU_ARM64, join(context, 'qemu-aarch64-static'));
      writeFileSync(join(context, 'Dockerfile'), `FROM ${BUILDER}\nCOPY --chmod=0755 qemu-aarch64-static ${QEMU_ARM64}\n`);
      engine!.mustDocker(['build', '--progress', 'plain', '-t', ARM_BUILDER, context]);
    });
  }, 1_800_000);

  afterAll(async () => {
    await stopScripts();
    await engine?.stop();
    if (root) removeTree(root);
  });

  it('one bake builds every image and the records, unprivileged', () => {
    const log = timed('bake buildkit (cold)', () => bake(out, ['buildkit']));
    expect(log).not.toMatch(/--privileged|security\.insecure/);
    // The builder image has everything: its stage installs nothing (the RUN's own text is in the log too).
    expect(log).not.toMatch(/the builder image lacks /);
    for (const ref of ['local/bk-bookworm:bookworm', 'local/bk-app:trixie', 'local/bk-trixie:trixie', 'local/bk-static:trixie']) expect(engine!.imageExists(ref), ref).toBe(true);
    for (const id of ['bk-bookworm', 'bk-trixie', 'bk-static']) {
      const records = readdirSync(join(out, id, 'buildkit-records')).sort();
      expect(records).toEqual(expect.arrayContaining(['build-vars.hcl', expect.stringMatching(/\.manifest$/), expect.stringMatching(/\.cdx\.json$/)]));
      expect(records.some((f) => /\.tar(\.\w+)?$/.test(f))).toBe(false);
    }
  }, 1_800_000);

  it('checks inside each image: locales, tweaks, sources, the user, the file, the hook marker, the derived image', () => {
    const b = engine!.mustRun('local/bk-trixie:trixie', 'echo "$LANG"; locale -a | grep -ci ja_JP; cat /usr/sbin/policy-rc.d | tail -n 1; grep -h "^deb\\|^URIs\\|^Suites" /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sort -u | wc -l');
    const [lang, locales, policy, sources] = b.trimEnd().split('\n');
    expect(lang).toBe('ja_JP.UTF-8');
    expect(Number(locales)).toBeGreaterThan(0);
    expect(policy).toBe('exit 101');
    expect(Number(sources)).toBeGreaterThan(0);
    expect(engine!.run('local/bk-app:trixie', []).stdout).toBe('e2e\n');
    const t = engine!.mustRun('local/bk-bookworm:bookworm', `id -u ${USER.name}; stat -c '%a %U' ${FILE.path}; cat ${FILE.path}; cat ${HOOK_MARKER}; cat /etc/timezone; stat -c '%a %u:%g' /usr/bin/chage`);
    expect(t).toMatch(new RegExp(`^${USER.uid}\n640 ${USER.name}\n${FILE.content}uid=${USER.uid}\\(${USER.name}\\) gid=\\d+\\(${USER.name}\\).*\nAsia/Tokyo\n2755 0:42\n$`));
  }, 300_000);

  it('the minimal image runs as nonroot, holds its packages\' status.d entries and no shell, and its manifest lists them', () => {
    expect((engine!.inspect('local/bk-static:trixie').Config as { User: string }).User).toBe('65532:65532');
    const container = engine!.mustDocker(['create', 'local/bk-static:trixie', '/nothing']).trim();
    const exported = join(root, 'static.tar');
    engine!.mustDocker(['export', '-o', exported, container]);
    engine!.mustDocker(['rm', container]);
    const files = entries(must('tar', ['-tv', '--numeric-owner', '-f', exported]));
    const statusD = [...files.keys()].filter((f) => f.startsWith('var/lib/dpkg/status.d/') && !f.endsWith('.md5sums')).map((f) => f.slice('var/lib/dpkg/status.d/'.length)).sort();
    const manifest = readFileSync(join(out, 'bk-static', 'buildkit-records', 'rootfs.manifest'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t')[0]!).sort();
    expect(statusD).toEqual(manifest);
    expect(manifest).toEqual(expect.arrayContaining(['base-files', 'ca-certificates', 'netbase', 'tzdata']));
    expect(files.get('tmp')).toMatch(/^drwxrwxrwt /);
    for (const absent of ['bin/sh', 'usr/bin/sh', 'usr/bin/dpkg', 'usr/bin/apt-get']) expect(files.has(absent), absent).toBe(false);
  }, 120_000);

  it('the records validate: CycloneDX, the manifest is dpkg-query in the image, the build record says BuildKit', async () => {
    const dir = join(out, 'bk-bookworm', 'buildkit-records');
    expect(await cycloneDxErrors(readFileSync(join(dir, 'rootfs.cdx.json'), 'utf8'))).toBeNull();
    const query = engine!.mustRun('local/bk-bookworm:bookworm', "dpkg-query -W -f='${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\n'");
    const installed = query.split('\n').filter((l) => l.startsWith('ii ')).map((l) => l.split('\t').slice(1).join('\t')).sort();
    const manifest = readFileSync(join(dir, 'rootfs.manifest'), 'utf8').trimEnd().split('\n').sort();
    expect(manifest).toEqual(installed);
    const record = JSON.parse(readFileSync(join(dir, 'rootfs.build.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(record)).toContain('"builtOn":"buildkit"');
  }, 120_000);

  it("the image's files equal the host build's tarball of the same config (differences listed)", () => {
    const host = entries(must('tar', ['-tv', '--numeric-owner', '-f', join(hostOut, 'rootfs.tar.zst')]));
    const container = engine!.mustDocker(['create', 'local/bk-bookworm:bookworm']).trim();
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
    expect(readFileSync(join(hostOut, 'rootfs.manifest'), 'utf8')).toBe(readFileSync(join(out, 'bk-bookworm', 'buildkit-records', 'rootfs.manifest'), 'utf8'));
  }, 300_000);

  it('a second bake with no cache gives the same image id (the package cache mount downloads nothing)', () => {
    const first = engine!.mustDocker(['image', 'inspect', '--format', '{{.Id}}', 'local/bk-trixie:trixie']).trim();
    const log = timed('bake bk-trixie-buildkit-base again, --no-cache (warm package cache)', () => bake(out, ['bk-trixie-buildkit-base'], ['*.no-cache=true']));
    const second = engine!.mustDocker(['image', 'inspect', '--format', '{{.Id}}', 'local/bk-trixie:trixie']).trim();
    expect(log).toContain('--buildkit');
    expect(second).toBe(first);
  }, 1_200_000);

  // The docker driver builds one platform into the engine's store at a time: this is the
  // README's CI recipe (one bake per platform, pushed, joined by imagetools create), with a
  // local registry standing in for the team's.
  it('bakes two platforms (amd64 + arm64 through qemu) and joins them into one index', async () => {
    const registry = await startPlainRegistry(join(root, 'registry'));
    try {
      const repo = `${registry.host}/bk-multi`;
      for (const platform of ['amd64', 'arm64']) {
        timed(`bake bk-multi base for ${platform}, pushed to a local registry`, () =>
          bake(multiOut, ['bk-multi-buildkit-base'], [`*.platform=linux/${platform}`, `*.tags=${repo}:bookworm-${platform}`, '*.output=type=image,push=true'], ARM_BUILDER),
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
      expect(engine!.mustRun(`${repo}:bookworm-arm64`, 'dpkg --print-architecture', { runArgs: ['--platform', 'linux/arm64'] })).toBe('arm64\n');
    } finally {
      await registry.stop();
    }
  }, 2_400_000);
});
