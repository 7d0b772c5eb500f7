// Several architectures, rootless mode and the OCI output, as the plan decides them
// (test/e2e/platforms.test.ts builds them).
import { describe, expect, it } from 'vitest';
import { planImage, renderAll, renderImage } from '../src/generate.js';
import { archFileName, archTag } from '../src/layout.js';
import { platformOf, archToken } from '../src/plan/arches.js';
import type { Settings } from '../src/model/index.js';
import { DEBIAN, settings, UBUNTU } from './helpers/settings.js';

const origin = { generatedFrom: 'test', regenerate: 'test' };
const plan = (s: Settings) => planImage({ id: 'test', settings: s, origin });
const step = (s: Settings, fn: string): any => plan(s).script.steps.find((x) => x.fn === fn)?.data;
const map = (s: Settings, name: string) => plan(s).script.maps.find((m) => m.name === name)?.entries;

describe('architecture names', () => {
  it("uses Docker's TARGETARCH and TARGETVARIANT for files and tags, and OCI platforms", () => {
    expect(['amd64', 'arm64', 'armhf', 'armel', 'i386', 'ppc64el'].map((a) => archToken(a as never))).toEqual([
      'amd64',
      'arm64',
      'armv7',
      'armv5',
      '386',
      'ppc64le',
    ]);
    expect(platformOf('armhf')).toBe('linux/arm/v7');
    expect(platformOf('arm64')).toBe('linux/arm64');
  });

  it('puts the architecture before .tar, or at the end', () => {
    expect(archFileName('rootfs.tar.zst', 'arm64')).toBe('rootfs-arm64.tar.zst');
    expect(archFileName('image', 'armv7')).toBe('image-armv7');
    expect(archTag('bookworm', 'arm64')).toBe('bookworm-arm64');
  });
});

describe('several architectures', () => {
  const both = settings(DEBIAN, { arch: ['amd64', 'arm64'], output: { compression: 'zstd', tags: ['ja'] } });

  it('writes one tarball per architecture and tags each', () => {
    const r = plan(both).resolved;
    expect(r.builds.map((b) => [b.arch, b.tarball, b.platform])).toEqual([
      ['amd64', 'rootfs-amd64.tar.zst', 'linux/amd64'],
      ['arm64', 'rootfs-arm64.tar.zst', 'linux/arm64'],
    ]);
    expect(r.builds[1]!.tags).toEqual(['bookworm-arm64', 'ja-arm64']);
    expect(map(both, 'ARCH_TAGS')).toEqual([
      { key: 'amd64', value: '-amd64' },
      { key: 'arm64', value: '-arm64' },
    ]);
  });

  it('keeps a single architecture as before: one rootfs.tar.*, plain tags', () => {
    const one = settings(DEBIAN, { arch: 'arm64' });
    expect(plan(one).resolved.builds.map((b) => [b.tarball, b.tags])).toEqual([['rootfs.tar.xz', []]]);
    expect(plan(one).bakeTargets[0]!.platforms).toEqual(['linux/arm64']);
  });

  it('runs the build steps once per architecture, the release date and the outputs once', () => {
    const main = plan(settings(DEBIAN, { arch: ['amd64', 'arm64'], output: { oci: true } })).script.mainSteps;
    expect(main.before.map((s) => s.fn)).toEqual(['release_date']);
    expect(main.perArch.map((s) => s.fn)).toEqual(expect.arrayContaining(['bootstrap', 'tarball']));
    expect(main.after.map((s) => s.fn)).toEqual(['import_image', 'oci_image']);
  });

  it('gives the bake targets every platform, and the Dockerfile the tarball of each', () => {
    const p = plan(both);
    expect(p.bakeTargets.map((t) => t.platforms)).toEqual([['linux/amd64', 'linux/arm64']]);
    const dockerfile = renderImage(p).find((f) => f.path === 'Dockerfile')!.content;
    expect(dockerfile).toContain('ARG TARGETARCH\nARG TARGETVARIANT\nADD ["rootfs-${TARGETARCH}${TARGETVARIANT}.tar.zst", "/"]\n');
    const bake = renderAll([{ id: 'test', settings: both, origin }], origin).find((f) => f.path === 'docker-bake.hcl')!.content;
    expect(bake).toContain('platforms = ["linux/amd64", "linux/arm64"]');
  });

  it('claims the per-architecture tags too: two configs cannot share them', () => {
    const other = settings(DEBIAN, { arch: 'amd64', output: { tags: ['bookworm-arm64'] } });
    expect(() => renderAll([{ id: 'a', settings: both, origin: { ...origin, generatedFrom: 'a' } }, { id: 'b', settings: other, origin: { ...origin, generatedFrom: 'b' } }], origin)).toThrow(
      /bookworm-arm64/,
    );
  });

  it('imports each architecture with its platform; podman joins them in a manifest list, docker cannot', () => {
    const podman = step(settings(DEBIAN, { arch: ['amd64', 'armhf'], output: { import: 'podman' } }), 'import_image');
    expect(podman.manifestList).toBe(true);
    expect(podman.platforms[1]).toMatchObject({ arch: 'armhf', args: ['--os', 'linux', '--arch', 'arm', '--variant', 'v7'] });
    const docker = step(settings(DEBIAN, { arch: ['amd64', 'arm64'] }), 'import_image');
    expect(docker.manifestList).toBe(false);
    expect(docker.platforms[1]).toMatchObject({ arch: 'arm64', args: ['--platform', 'linux/arm64'] });
  });

  it("labels each architecture's imported image with its own records, never a literal <arch>", () => {
    const docker = step(settings(DEBIAN, { arch: ['amd64', 'arm64'] }), 'import_image');
    for (const [i, token] of ['amd64', 'arm64'].entries()) {
      const changes: string[] = docker.platforms[i].changes;
      expect(changes).toContain(`LABEL mkimage-gen.build-record="rootfs-${token}.build.json"`);
      expect(changes.join(' ')).not.toContain('<arch>');
    }
  });

  it("names each platform's records in the multi-platform Dockerfile through its build args", () => {
    const files = renderImage(plan(both));
    const dockerfile = files.find((f) => f.path === 'Dockerfile')!.content;
    expect(dockerfile).not.toContain('<arch>');
    expect(dockerfile).toContain('LABEL mkimage-gen.build-record="rootfs-${TARGETARCH}${TARGETVARIANT}.build.json"');
    // Declared before they are used, and nothing else of a label expands.
    expect(dockerfile.indexOf('ARG TARGETARCH')).toBeLessThan(dockerfile.indexOf('LABEL mkimage-gen.'));
    const single = renderImage(plan(settings(DEBIAN))).find((f) => f.path === 'Dockerfile')!.content;
    expect(single).toContain('LABEL mkimage-gen.build-record="rootfs.build.json"');
  });

  it('checks the binfmt entry of each foreign architecture', () => {
    expect(map(both, 'BINFMTS')).toEqual([
      { key: 'amd64', value: 'qemu-x86_64' },
      { key: 'arm64', value: 'qemu-aarch64' },
    ]);
    expect(map(settings(DEBIAN, { arch: 'i386' }), 'NATIVE_ON')).toEqual([{ key: 'i386', value: 'i386 amd64' }]);
  });
});

describe('Ubuntu ports', () => {
  const ports = settings(UBUNTU, { arch: ['amd64', 'arm64'], portsMirror: 'http://ports.example/ubuntu-ports' });

  it('installs ports architectures from the ports mirror, security included', () => {
    const arm64 = plan(ports).resolved.builds[1]!;
    expect(arm64.mirror).toBe('http://ports.example/ubuntu-ports');
    expect(arm64.sources.map((s) => `${s.uri} ${s.suite}`)).toEqual([
      'http://ports.example/ubuntu-ports noble',
      'http://ports.example/ubuntu-ports noble-updates',
      'http://ports.example/ubuntu-ports noble-security',
    ]);
    expect(plan(ports).resolved.builds[0]!.mirror).toBe('http://mirror.example/ubuntu');
  });

  it('writes each architecture its own sources file', () => {
    const writes = plan(ports).script.steps.find((s) => s.fn === 'apt_sources')!.commands!.flatMap((c) => (c.kind === 'write' && c.path.includes('sources') ? [c] : []));
    // One file each, written only when its own architecture is built.
    expect(writes.map((w) => (w.when && 'arches' in w.when ? w.when.arches : null))).toEqual([['amd64'], ['arm64']]);
    expect(writes[1]!.content).toContain('URIs: http://ports.example/ubuntu-ports\n');
  });

  it('reads the Release dates of both archives for one SOURCE_DATE_EPOCH', () => {
    const dists = plan(ports).script.arrays.find((a) => a.name === 'RELEASE_DISTS')!.values;
    expect(dists).toContain('http://mirror.example/ubuntu/dists/noble');
    expect(dists).toContain('http://ports.example/ubuntu-ports/dists/noble');
    // Each architecture's records name its own archive's.
    const reads = Object.fromEntries(plan(ports).script.maps.find((m) => m.name === 'ARCH_RELEASES')!.entries.map((e) => [e.key, e.value.split(' ')]));
    expect(reads.amd64).toContain('http://mirror.example/ubuntu/dists/noble');
    expect(reads.amd64).not.toContain('http://ports.example/ubuntu-ports/dists/noble');
    expect(reads.arm64).toContain('http://ports.example/ubuntu-ports/dists/noble');
  });
});

describe('mode', () => {
  it('is root by default and unshare when the config says so (mmdebstrap only)', () => {
    const value = (s: Settings) => plan(s).script.variables.find((v) => v.name === 'MODE')?.value;
    expect(value(settings(DEBIAN))).toBe('root');
    expect(value(settings(DEBIAN, { backend: 'mmdebstrap', mode: 'unshare' }))).toBe('unshare');
    expect(() => settings(DEBIAN, { mode: 'unshare' })).toThrow(/mode unshare builds without root through mmdebstrap/);
  });

  it("leaves apt's cleanup to our apt_clean step: mmdebstrap's would make the modes' tarballs differ", () => {
    // Its final apt-get update recreates /var/lib/apt/lists/partial, owned by root in mode
    // root and by _apt in mode unshare; our step runs in both modes alike.
    const script = (s: Settings) => renderImage(plan(s)).find((f) => f.path === 'mkimage.sh')!.content;
    for (const clean of [true, false]) {
      const text = script(settings(DEBIAN, { backend: 'mmdebstrap', clean }));
      expect(text).toContain('  args+=(--skip=cleanup/apt)\n');
      expect(text.includes("step 'hook customize' 'apt clean' apt_clean\n")).toBe(clean);
    }
  });
});

describe('OCI image config', () => {
  const oci = (s: Settings) => step(s, 'oci_image');
  const config = settings(DEBIAN, {
    arch: ['amd64', 'armhf'],
    locales: { generate: ['ja_JP.UTF-8'], default: 'ja_JP.UTF-8' },
    output: { oci: true, labels: { 'org.example.b': 'two "quoted" $x', 'org.example.a': '1' } },
  });

  it('is only there when output.oci asks for it', () => {
    expect(oci(settings(DEBIAN))).toBeUndefined();
    expect(oci(config).several).toBe(true);
  });

  /** The plan's config text with what the build knows filled in at its marks. */
  const complete = (image: { configParts: string[]; marks: string[] }) => {
    const values: Record<string, string> = { created: '"2025-01-01T00:00:00Z"', version: '"12.9"', diffId: '"sha256:0"' };
    return JSON.parse(image.configParts.map((part, i) => part + (i < image.marks.length ? values[image.marks[i]!] : '')).join(''));
  };

  it('holds the platform, CMD, env, labels and history, as JSON that the script completes', () => {
    const armhf = oci(config).images[1];
    expect(JSON.parse(armhf.platform)).toEqual({ architecture: 'arm', os: 'linux', variant: 'v7' });
    const completed = complete(armhf);
    expect(completed.config.Cmd).toEqual(['bash']);
    expect(completed.config.Env).toContain('LANG=ja_JP.UTF-8');
    // Each architecture's config names its own records.
    expect(completed.config.Labels['mkimage-gen.manifest']).toBe('rootfs-armv7.manifest');
    expect(complete(oci(config).images[0]).config.Labels['mkimage-gen.manifest']).toBe('rootfs-amd64.manifest');
    expect(JSON.stringify(oci(config))).not.toContain('<arch>');
    expect(Object.keys(completed.config.Labels).filter((k) => !k.startsWith('mkimage-gen.'))).toEqual([
      'org.example.a',
      'org.example.b',
      'org.opencontainers.image.created',
      'org.opencontainers.image.title',
      'org.opencontainers.image.version',
    ]);
    expect(completed.config.Labels['org.example.b']).toBe('two "quoted" $x');
    // The version and created labels the import gives, and one history entry for the one layer.
    expect(completed.config.Labels['org.opencontainers.image.version']).toBe('12.9');
    expect(completed.config.Labels['org.opencontainers.image.created']).toBe('2025-01-01T00:00:00Z');
    expect(completed.history).toEqual([{ created: '2025-01-01T00:00:00Z', created_by: expect.stringMatching(/^mkimage\.sh local\/test \(mkimage-gen .+\): rootfs-armv7\.tar\.xz$/) }]);
    expect(completed.rootfs).toEqual({ diff_ids: ['sha256:0'], type: 'layers' });
    // Keys sorted: the same settings give the same bytes.
    expect(Object.keys(completed)).toEqual(['architecture', 'config', 'created', 'history', 'os', 'rootfs', 'variant']);
  });
});
