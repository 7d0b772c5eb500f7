// End to end, a company's base image: one real build of a config that uses everything a
// company adds. A local signed apt repository (support/apt-repo.ts) stands in for the
// company's own, served on the engine's bridge address (the build on the host and the
// containers both reach it there; containers do not reach 127.0.0.1), with its key
// beside the config; a throwaway CA made with openssl; an after-packages hook that
// leaves a marker, and a hook on the build host at each stage (mmdebstrap calls the
// script back for those, without TMPDIR); a user and a group; and a derived image with USER, CMD, WORKDIR,
// labels, extra tags and a file. The generated mkimage.sh (mmdebstrap, zstd, no
// upgrade) builds it and imports it with its own `docker import` into a private Docker
// Engine; `docker buildx bake` builds the generated base and derived Dockerfiles from
// the generated bake file plus the build-vars.hcl the script wrote; then every check
// runs inside the images with `docker run`, on that one build.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SettingsInput } from '../../src/model/index.js';
import { aptRepoProblems, startAptRepo, type AptRepo } from './support/apt-repo.js';
import { dockerPrerequisites, DockerEngine, dockerdPids } from './support/docker.js';
import { describeE2E, makeTempRoot, must, removeTree, which } from './support/host.js';
import { bakeHint, describeRun, renderConfig, runScript, stopScripts, type BakeHint, type Finished, type Rendered } from './support/script.js';

const prereq = await dockerPrerequisites();
prereq.problems.push(...aptRepoProblems());
if (!which('mmdebstrap')) prereq.problems.push('missing tool: mmdebstrap (apt: mmdebstrap)');
if (!which('openssl')) prereq.problems.push('missing tool: openssl (apt: openssl)');

const IMAGE = 'mkimage-e2e/company-base';
const DERIVED = 'mkimage-e2e/company-app';
const SUITE = 'trixie';
const REPO_NAME = 'e2e-company';
const USER = { name: 'e2eapp', uid: 10123, home: '/srv/e2eapp', shell: '/bin/sh' };
const GROUP = { name: 'e2eapp', gid: 10124 };
const HOOK_MARKER = '/etc/mkimage-e2e-hook';
const HOST_MARKER = '/etc/mkimage-e2e-host-hooks';
const HOST_STAGES = ['after-bootstrap', 'after-packages', 'before-pack'] as const;
const APP_FILE = { path: '/srv/e2eapp/hello.txt', content: 'hello from the derived image\n' };
const DERIVED_CMD = ['cat', APP_FILE.path];
const LABELS = { base: { 'com.example.e2e.team': 'platform e2e' }, derived: { 'com.example.e2e.service': 'app' } };
const SOURCE = 'https://git.example.invalid/infra/images';

describeE2E("end-to-end: a company's base image on Docker Engine and BuildKit", prereq, (mirrors) => {
  let root: string;
  let engine: DockerEngine | undefined;
  let repo: AptRepo | undefined;
  let rendered: Rendered;
  let caPem: string;
  let build: Finished | undefined;
  let bakeLog: string;
  let hint: BakeHint;
  /** The base image as `docker import` made it, before bake replaced its tags. */
  let imported: { id: string; ids: string[]; labels: Record<string, string> };
  /** What the checks printed inside the images, by name. */
  let checks: Record<string, Probed> | undefined;
  const timings: Record<string, number> = {};
  const timed = async <T>(what: string, task: () => T | Promise<T>): Promise<T> => {
    const began = Date.now();
    try {
      return await task();
    } finally {
      timings[what] = Date.now() - began;
    }
  };

  beforeAll(async () => {
    root = makeTempRoot('company');
    engine = await timed('engine start', () => DockerEngine.start({ label: 'company-engine' }));
    // The build on the host and the containers both reach the bridge address.
    repo = await timed('signed repository', () => startAptRepo({ label: 'company-repo', addresses: [engine!.gateway] }));

    // Beside the config, as a user has them: the key, the CA, the hook, the app file.
    const config = join(root, 'config');
    for (const dir of ['keys', 'certs', 'hooks', 'app']) mkdirSync(join(config, dir), { recursive: true });
    copyFileSync(repo.key.armored, join(config, 'keys/company.asc'));
    must('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(root, 'ca.key'), '-out', join(config, 'certs/e2e-root-ca.pem'),
      '-days', '2', '-subj', '/CN=mkimage-gen e2e root CA',
    ]);
    caPem = readFileSync(join(config, 'certs/e2e-root-ca.pem'), 'utf8');
    // Runs inside the rootfs after the packages, users and files: what it sees is recorded.
    writeFileSync(
      join(config, 'hooks/marker.sh'),
      ['#!/bin/sh', 'set -eu', `{ echo "hook ran as $(id -un)"; id ${USER.name}; } > ${HOOK_MARKER}`, ''].join('\n'),
      { mode: 0o755 },
    );
    writeFileSync(join(config, 'app/hello.txt'), APP_FILE.content);
    // On the build host, at each stage (mmdebstrap calls the script back for them, with
    // no TMPDIR): each leaves a line in the rootfs it was given.
    for (const stage of HOST_STAGES) {
      writeFileSync(
        join(config, `hooks/host-${stage}.sh`),
        ['#!/bin/sh', 'set -eu', `ok=no; [ "$1" = "$MKIMAGE_ROOTFS" ] && [ "$1" != / ] && [ -d "$1/etc" ] && ok=yes`, `echo "${stage} $ok" >> "$1${HOST_MARKER}"`, ''].join('\n'),
        { mode: 0o755 },
      );
    }

    const settings: SettingsInput = {
      name: IMAGE,
      distro: 'debian',
      suite: SUITE,
      backend: 'mmdebstrap',
      variant: 'minbase',
      mirror: mirrors.mirror,
      securityMirror: mirrors.securityMirror,
      upgrade: false,
      repositories: [
        {
          name: REPO_NAME,
          url: repo.urls[engine.gateway]!,
          suites: [repo.suite],
          components: [repo.component],
          key: 'keys/company.asc',
          packages: [repo.package.name],
        },
      ],
      caCertificates: ['certs/e2e-root-ca.pem'],
      hooks: [
        { stage: 'after-packages', script: 'hooks/marker.sh' },
        ...HOST_STAGES.map((stage) => ({ stage, script: `hooks/host-${stage}.sh`, on: 'host' as const })),
      ],
      groups: [GROUP],
      users: [{ name: USER.name, uid: USER.uid, group: GROUP.name, home: USER.home, shell: USER.shell }],
      output: { compression: 'zstd', import: 'docker', source: SOURCE, labels: LABELS.base, tags: ['company'] },
      derived: [
        {
          name: DERIVED,
          files: [{ source: 'app/hello.txt', path: APP_FILE.path, owner: `${USER.name}:${GROUP.name}` }],
          user: USER.name,
          workdir: USER.home,
          cmd: DERIVED_CMD,
          labels: LABELS.derived,
          tags: ['app', 'e2e-extra'],
        },
      ],
    };
    rendered = await renderConfig(config, 'company', settings);

    // The script's own `docker` is the private engine: its client first on the PATH, its socket.
    build = await timed('mkimage.sh build + docker import', () => runScript(rendered.script, ['--work-dir', join(root, 'work')], { env: engine!.env }));
    console.log(`e2e company: steps\n${build.lines.filter((l) => /^\[/.test(l.text)).map((l) => `  ${l.text}`).join('\n')}`);
    if (build.code !== 0) return;
    const importedTags = [...build.stdout.matchAll(/^mkimage: tagged (.+)$/gm)].map((m) => m[1]!);
    imported = {
      id: engine!.inspect(`${IMAGE}:${SUITE}`).Id as string,
      ids: importedTags.map((ref) => (engine!.docker(['image', 'inspect', '--format', '{{.Id}}', ref]).stdout.trim() || `missing ${ref}`)),
      labels: labelsOf(`${IMAGE}:${SUITE}`),
    };
    // The command the build printed: from the bake file's folder, with the facts the build wrote, its group.
    hint = bakeHint(build.stdout);
    bakeLog = await timed('docker buildx bake', () => engine!.mustBake(hint.files, { cwd: hint.cwd, targets: [hint.group] }));
    // Each `docker run` costs seconds: one for the base image's checks, two for the derived image's.
    const sources = `/etc/apt/sources.list.d/${REPO_NAME}.*`;
    checks = await timed('docker run checks', () => {
      const inBase = probe(engine!, `${IMAGE}:${SUITE}`, {
        version: 'cat /etc/debian_version',
        command: repo!.package.command,
        sources: `ls ${sources}`,
        sourcesText: `cat ${sources}`,
        keyrings: 'ls /etc/apt/keyrings',
        // apt fetches and verifies that repository alone (the container reaches the bridge address).
        policy: `apt-get -q update -o Dir::Etc::SourceList="$(ls ${sources})" -o Dir::Etc::SourceParts=- >/dev/null && apt-cache policy ${repo!.package.name}`,
        bundle: 'cat /etc/ssl/certs/ca-certificates.crt',
        hook: `cat ${HOOK_MARKER}`,
        hostHooks: `cat ${HOST_MARKER}`,
        accounts: `getent passwd ${USER.name}; getent group ${GROUP.name}`,
      });
      const inDerived = probe(engine!, `${DERIVED}:${SUITE}`, { whoami: 'id -un; pwd', file: `stat -c '%U:%G %a' ${APP_FILE.path}` });
      // No command: the image's CMD runs.
      const cmd = engine!.docker(['run', '--rm', `${DERIVED}:${SUITE}`]);
      return { ...inBase, ...inDerived, cmd: { out: cmd.stdout + cmd.stderr, rc: cmd.status ?? -1 } };
    });
  }, 600_000);

  afterAll(async () => {
    await stopScripts();
    const report = await engine?.stop();
    await repo?.stop();
    if (root) expect(removeTree(root), 'mounts left behind under the test directory').toEqual([]);
    console.log(`e2e company: timings ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ')}`);
    if (report) expect(report.killed, 'processes that had to be killed').toEqual([]);
  });

  const built = (): Finished => {
    if (!build) throw new Error('the build did not run');
    if (build.code !== 0) throw new Error(`the build did not succeed: ${describeRun(build)}`);
    return build;
  };
  const reportedTags = () => [...built().stdout.matchAll(/^mkimage: tagged (.+)$/gm)].map((m) => m[1]!);
  /** What a check printed inside an image; it must have exited 0. */
  const inside = (name: string): string => {
    built();
    const result = checks?.[name];
    if (!result) throw new Error(`no result for the check ${name}`);
    expect(result.rc, `${name}: ${result.out}`).toBe(0);
    return result.out;
  };
  const importedImage = () => {
    built();
    if (!imported) throw new Error('the imported image was not inspected');
    return imported;
  };

  it('mkimage.sh builds and imports with docker: suite, version, major, dated and extra tags, one image', () => {
    const b = built();
    const epoch = Number(/^mkimage: SOURCE_DATE_EPOCH=(\d+)$/m.exec(b.stdout)?.[1]);
    expect(epoch).toBeGreaterThan(0);
    const day = new Date(epoch * 1000).toISOString().slice(0, 10).replaceAll('-', '');
    const version = inside('version').trim();
    expect(version).toMatch(/^\d+\.\d+$/);
    const wanted = [SUITE, version, version.split('.')[0]!, `${SUITE}-${day}`, 'company'].map((t) => `${IMAGE}:${t}`);
    expect([...reportedTags()].sort()).toEqual([...wanted].sort());
    // docker import made them all, on one image.
    expect(new Set(importedImage().ids)).toEqual(new Set([importedImage().id]));
    const vars = readFileSync(join(rendered.dir, 'build-vars.hcl'), 'utf8');
    expect(vars).toContain(`mkimage_company_version = "${version}"`);
    expect(vars).toContain(`mkimage_company_date = "${day}"`);
  });

  it('docker buildx bake (generated bake file + build-vars.hcl) tags the base exactly as the import did, and its image replaces the imported one', () => {
    const imported = reportedTags();
    // The command the build printed: the bake file's folder, the facts the build wrote, the config's group.
    expect(hint).toEqual({ cwd: join(rendered.dir, '..'), files: ['docker-bake.hcl', join(rendered.dir, 'build-vars.hcl')], group: 'company' });
    expect(bakeLog).toMatch(/naming to /);
    const tags = bakeTags(engine!, rendered);
    expect([...tags.base].sort()).toEqual([...imported].sort());
    expect([...tags.derived].sort()).toEqual([`${DERIVED}:${SUITE}`, `${DERIVED}:app`, `${DERIVED}:e2e-extra`].sort());
    // Every tag now names the one image bake built, not the imported one.
    const ids = new Set(imported.map((ref) => engine!.inspect(ref).Id as string));
    expect(ids.size).toBe(1);
    expect([...ids][0]).not.toBe(importedImage().id);
    for (const ref of tags.derived) expect(engine!.imageExists(ref), `bake made ${ref}`).toBe(true);
  });

  it("inside the base image: the repository's package works, and apt trusts the repository by its key under /etc/apt/keyrings", () => {
    expect(inside('command')).toBe(`${repo!.package.content}\n`);
    expect(inside('sources')).toMatch(new RegExp(`^/etc/apt/sources\\.list\\.d/${REPO_NAME}\\.(sources|list)\n$`));
    const text = inside('sourcesText');
    expect(text).toContain(repo!.url);
    expect(text).toMatch(new RegExp(`(Signed-By: |signed-by=)/etc/apt/keyrings/${REPO_NAME}\\.asc\\b`));
    expect(inside('keyrings')).toBe(`${REPO_NAME}.asc\n`);
    expect(inside('policy')).toMatch(new RegExp(`^  Installed: ${repo!.package.version.replaceAll('.', '\\.')}$`, 'm'));
    expect(inside('policy')).toMatch(new RegExp(`^ +500 ${repo!.url} ${repo!.suite}/${repo!.component} \\S+ Packages$`, 'm'));
  });

  it('inside the base image: the CA is in /etc/ssl/certs/ca-certificates.crt', () => {
    const bundle = inside('bundle');
    const body = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    expect(body(bundle)).toContain(body(caPem));
  });

  it('inside the base image: the hook ran in the rootfs after the users, and left its marker', () => {
    expect(inside('hook')).toBe(
      `hook ran as root\nuid=${USER.uid}(${USER.name}) gid=${GROUP.gid}(${GROUP.name}) groups=${GROUP.gid}(${GROUP.name})\n`,
    );
  });

  it('mmdebstrap ran the hooks on the host at every stage, each with the rootfs as $1 and MKIMAGE_ROOTFS', () => {
    expect(inside('hostHooks')).toBe(HOST_STAGES.map((stage) => `${stage} yes\n`).join(''));
  });

  it('inside the base image: the user and group exist with their ids, home and shell', () => {
    expect(inside('accounts')).toBe(
      `${USER.name}:x:${USER.uid}:${GROUP.gid}::${USER.home}:${USER.shell}\n${GROUP.name}:x:${GROUP.gid}:\n`,
    );
  });

  it('the derived image: runs as its USER in its WORKDIR, its CMD prints its file, owned by the user', () => {
    for (const tag of [SUITE, 'app', 'e2e-extra']) expect(engine!.imageExists(`${DERIVED}:${tag}`), `${DERIVED}:${tag}`).toBe(true);
    const ref = `${DERIVED}:${SUITE}`;
    expect(inside('whoami')).toBe(`${USER.name}\n${USER.home}\n`);
    expect(inside('file')).toBe(`${USER.name}:${GROUP.name} 644\n`);
    const config = engine!.inspect(ref).Config as { Cmd: string[]; User: string; WorkingDir: string };
    expect(config.Cmd).toEqual(DERIVED_CMD);
    expect(config.User).toBe(USER.name);
    expect(config.WorkingDir).toBe(USER.home);
    // No command: the image's CMD runs.
    expect(inside('cmd')).toBe(APP_FILE.content);
  });

  it('labels: org.opencontainers.image.* and the configured ones, on the base and the derived image', () => {
    const base = labelsOf(`${IMAGE}:${SUITE}`);
    const version = inside('version').trim();
    const epoch = Number(/^mkimage: SOURCE_DATE_EPOCH=(\d+)$/m.exec(built().stdout)?.[1]);
    const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
    expect(base).toMatchObject({
      ...LABELS.base,
      'org.opencontainers.image.title': IMAGE,
      'org.opencontainers.image.source': SOURCE,
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.created': created,
    });
    // docker import labelled its image the same way.
    expect(importedImage().labels).toEqual(base);
    const derived = labelsOf(`${DERIVED}:${SUITE}`);
    expect(derived).toMatchObject({
      ...LABELS.base,
      ...LABELS.derived,
      'org.opencontainers.image.title': DERIVED,
      'org.opencontainers.image.source': SOURCE,
      'org.opencontainers.image.base.name': `${IMAGE}:${SUITE}`,
      'org.opencontainers.image.created': created,
    });
  });

  it('stopping the engine and the repository leaves no dockerd of ours', async () => {
    const pid = engine!.pid;
    const report = await engine!.stop();
    await repo!.stop();
    expect(report.killed).toEqual([]);
    expect(pid === undefined || !dockerdPids().includes(pid)).toBe(true);
  });

  function labelsOf(ref: string): Record<string, string> {
    return ((engine!.inspect(ref).Config as { Labels?: Record<string, string> }).Labels ?? {}) as Record<string, string>;
  }
});

interface Probed {
  out: string;
  rc: number;
}

/**
 * Several checks in one `docker run` of an image: each runs on its own, its output
 * (both streams) and exit status fenced by markers, so one failing does not hide the others.
 */
function probe(engine: DockerEngine, image: string, checks: Record<string, string>): Record<string, Probed> {
  const fence = '--- mkimage-e2e check';
  const script = Object.entries(checks)
    .map(([name, check]) => `echo '${fence} ${name}'; (${check}) 2>&1; echo "${fence} rc $?"`)
    .join('\n');
  const result = engine.run(image, ['sh', '-c', script]);
  if (result.status !== 0) throw new Error(`docker run ${image} exited ${result.status}: ${result.stderr}`);
  const found: Record<string, Probed> = {};
  const parts = result.stdout.split(`${fence} `).slice(1);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const name = parts[i]!.slice(0, parts[i]!.indexOf('\n'));
    const out = parts[i]!.slice(name.length + 1);
    const rc = Number(/^rc (\d+)\n$/.exec(parts[i + 1]!)?.[1] ?? -1);
    found[name] = { out, rc };
  }
  return found;
}

/** The tags bake gives the base and the derived target, from `bake --print` with the build's vars file. */
function bakeTags(engine: DockerEngine, rendered: Rendered): { base: string[]; derived: string[] } {
  const targets = Object.values(engine.bakePrint(['docker-bake.hcl', 'company/build-vars.hcl'], { cwd: join(rendered.dir, '..') }));
  const base = targets.find((t) => t.context === 'company')?.tags ?? [];
  const derived = targets.find((t) => t.context?.startsWith('company/derived/'))?.tags ?? [];
  return { base, derived };
}
