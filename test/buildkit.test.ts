// The BuildKit path (src/plan/buildkit.ts): which configs get one, what its Dockerfile and
// bake targets say (the same image config, tags and labels as the host path's), that
// explain's ledger for it has nothing running as root on the host and nothing mounted in
// the build container, and the script's --buildkit mode as its dry run shows it.
import { describe, expect, it } from 'vitest';
import { loadSelection } from '../src/cli/entries.js';
import { explainJson, explainText } from '../src/cli/explain.js';
import { planImage, renderAll, renderBake, renderImage, type RenderEntry } from '../src/generate.js';
import { validateSettings } from '../src/model/index.js';
import { buildkitLedger } from '../src/plan/buildkit.js';
import { rootLedger, symbolic } from '../src/plan/ledger.js';
import { runtimeParts } from '../src/render/runtime.js';
import { runAsNobody } from './helpers/dry-run.js';
import { ROOT } from './helpers/presets.js';
import { DEBIAN, UBUNTU } from './helpers/settings.js';

const origin = { generatedFrom: 'test', regenerate: 'test' };
const presets = loadSelection({ configs: [], sets: [], cwd: ROOT }).entries;
const twoArches: RenderEntry = {
  id: 'two-arches',
  settings: validateSettings(
    {
      ...DEBIAN,
      backend: 'mmdebstrap',
      arch: ['amd64', 'arm64'],
      expect: 'expected.manifest',
      output: { import: 'docker', oci: true, labels: { 'org.example.team': 'ops "$HOME"' } },
      derived: [{ name: 'local/app', env: { MODE: 'x' } }],
    },
    't',
  ),
  origin,
};
const ubuntu: RenderEntry = { id: 'ubuntu-mm', settings: validateSettings({ ...UBUNTU, backend: 'mmdebstrap', mode: 'unshare' }, 't'), origin };
/** The configs with a BuildKit path: every mmdebstrap one, minimal images included. */
const onBuildkit = (e: RenderEntry) => e.settings.backend === 'mmdebstrap';
const withBuildkit = [...presets.filter(onBuildkit), twoArches, ubuntu];

const file = (entry: RenderEntry, path: string) => renderImage(planImage(entry)).find((f) => f.path === path)?.content;

/** The instructions of a Dockerfile that set the image's config: ENV, LABEL, ARG of a label, CMD. */
const imageConfigLines = (dockerfile: string) => dockerfile.split('\n').filter((l) => /^(ENV|LABEL|CMD|ARG MKIMAGE_)/.test(l));

describe('which configs have a BuildKit path', () => {
  it('every mmdebstrap config, minimal images included; none of the debootstrap ones (explain says why)', () => {
    expect(presets.some((e) => e.settings.backend === 'debootstrap')).toBe(true);
    expect(presets.some((e) => e.settings.profile !== undefined)).toBe(true);
    for (const entry of [...presets, twoArches, ubuntu]) {
      const plan = planImage(entry);
      expect(plan.buildkit !== null, entry.id).toBe(onBuildkit(entry));
      expect(file(entry, 'Dockerfile.buildkit') !== undefined, entry.id).toBe(onBuildkit(entry));
      if (plan.buildkit === null) {
        const text = explainText(plan, renderImage(plan), runtimeParts());
        expect(text).toContain('\nBuildKit path: none: it builds with debootstrap, which mounts /proc and /sys');
      }
    }
  });
});

describe('Dockerfile.buildkit', () => {
  it.each(withBuildkit.map((e) => [e.id, e] as const))('%s: builder, rootfs, records and base stages; the image config of the host path', (_, entry) => {
    const dockerfile = file(entry, 'Dockerfile.buildkit')!;
    const plan = planImage(entry).buildkit!;
    expect(dockerfile).toContain('ARG BUILDER_IMAGE=debian:trixie-slim\n');
    expect(dockerfile).toContain('FROM --platform=$BUILDPLATFORM $BUILDER_IMAGE AS builder\n');
    expect(dockerfile).toContain('FROM --platform=$BUILDPLATFORM builder AS rootfs\n');
    expect(dockerfile).toMatch(/^RUN --mount=type=cache,id=mkimage-debs-[\w.-]+-\$\{TARGETARCH\}\$\{TARGETVARIANT\},target=\/var\/cache\/mkimage-debs,sharing=locked \\$/m);
    expect(dockerfile).toContain('/mkimage/mkimage.sh --buildkit --mode root --output-dir /mkimage/out --package-cache /var/cache/mkimage-debs --platform "$TARGETPLATFORM"; \\\n');
    expect(dockerfile).toContain('FROM scratch AS records\nCOPY --from=rootfs ["/mkimage/out/", "/"]\n');
    expect(dockerfile).toContain('FROM scratch AS base\nCOPY --from=rootfs ["/mkimage/rootfs/", "/"]\n');
    // The builder looks for what the script's preflight names, and installs its packages when one is missing.
    const keyring = entry.settings.distro === 'ubuntu' ? 'ubuntu-keyring' : 'debian-archive-keyring';
    expect(plan.dockerfile.builder.packages).toEqual(expect.arrayContaining(['mmdebstrap', 'gpgv', 'tar', keyring]));
    expect(plan.dockerfile.builder.packages).not.toContain('docker.io');
    expect(plan.dockerfile.builder.commands).toEqual(expect.arrayContaining(['mmdebstrap', 'gpgv', 'tar', 'chroot']));
    expect(plan.dockerfile.builder.files).toContain(planImage(entry).resolved.hostKeyring);
    expect(dockerfile).toContain(`    for command in ${plan.dockerfile.builder.commands.join(' ')}; do command -v "$command" > /dev/null || missing="$missing $command"; done; \\\n`);
    expect(dockerfile).toContain(`apt-get install -y --no-install-recommends ${plan.dockerfile.builder.packages.join(' ')}; \\\n`);
    // ENV, labels and CMD equal the host path's base Dockerfile.
    expect(imageConfigLines(dockerfile)).toEqual(imageConfigLines(file(entry, 'Dockerfile')!));
    // Only the script and what it reads beside it go into the build context.
    expect(file(entry, 'Dockerfile.buildkit.dockerignore')).toMatch(/\n\*\n!mkimage\.sh\n/);
  });

  it("several architectures: each platform unpacks its own tarball, and the builder has qemu and arch-test", () => {
    const dockerfile = file(twoArches, 'Dockerfile.buildkit')!;
    expect(dockerfile).toContain(`tar --numeric-owner -xpf /mkimage/out/rootfs-"\${TARGETARCH}""\${TARGETVARIANT}".tar.xz -C /mkimage/rootfs; \\\n`);
    expect(dockerfile).toContain('COPY --chmod=0755 ["expected-amd64.manifest", "/mkimage/expected-amd64.manifest"]\n');
    expect(file(twoArches, 'Dockerfile.buildkit.dockerignore')).toContain('!expected-arm64.manifest\n');
    const builder = planImage(twoArches).buildkit!.dockerfile.builder;
    expect(builder.packages).toEqual(expect.arrayContaining(['arch-test', 'qemu-user-static']));
    expect(builder.commands).toContain('arch-test');
    // The binary mmdebstrap copies into an arm64 rootfs: a builder that has it some other way installs nothing.
    expect(builder.files).toContain('/usr/bin/qemu-aarch64-static');
    // A label value with quotes and $ stays literal, as in the host path's Dockerfile.
    expect(dockerfile).toContain('LABEL org.example.team="ops \\"\\$HOME\\""\n');
  });
});

describe('the bake targets of the BuildKit path', () => {
  const plans = [...presets, twoArches].map(planImage);
  const bake = renderBake(plans, origin);
  const block = (name: string) => {
    const start = bake.indexOf(`target "${name}" {`);
    return start < 0 ? '' : bake.slice(start, bake.indexOf('\n}\n', start) + 2);
  };

  it('base, records and derived targets beside the host ones, with the same tags, args and platforms', () => {
    const host = block('two-arches-base');
    const bk = block('two-arches-buildkit-base');
    expect(bk).toContain('dockerfile = "Dockerfile.buildkit"\n  target = "base"\n');
    const tagsOf = (b: string) => /\n {2}tags = .*\n/.exec(b)![0];
    expect(tagsOf(bk)).toBe(tagsOf(host));
    expect(bk).toContain('platforms = ["linux/amd64", "linux/arm64"]');
    expect(bk).toContain('BUILDER_IMAGE = MKIMAGE_BUILDER_IMAGE');
    expect(bk).toContain('MKIMAGE_VERSION = mkimage_two_arches_version');
    expect(block('two-arches-buildkit-records')).toContain('output = ["type=local,dest=two-arches/buildkit-records"]');
    const derived = block('two-arches-buildkit-app');
    expect(derived).toContain('context = "two-arches/derived/app"\n  dockerfile = "Dockerfile"\n');
    expect(derived).toContain('"local/test:bookworm" = "target:two-arches-buildkit-base"');
    expect(bake).toContain('group "two-arches-buildkit" {\n  targets = ["two-arches-buildkit-base", "two-arches-buildkit-records", "two-arches-buildkit-app"]\n}');
    expect(bake).toMatch(/group "buildkit" \{\n {2}targets = \[[^\]]*"debian-trixie-ja-slim-buildkit-base"[^\]]*"two-arches-buildkit-app"\]/);
    expect(bake).toContain('variable "MKIMAGE_BUILDER_IMAGE" {\n  default = "debian:trixie-slim"\n}');
    // The host path's names keep their meaning: the default group has no BuildKit target.
    expect(/group "default" \{\n {2}targets = \[([^\]]*)\]/.exec(bake)![1]).not.toContain('buildkit');
  });

  it('a derived image whose name claims a BuildKit target name is refused (mmdebstrap configs only)', () => {
    for (const name of ['local/buildkit-base', 'local/buildkit']) {
      expect(() => validateSettings({ ...DEBIAN, backend: 'mmdebstrap', derived: [{ name }] }, 't')).toThrow(/derived\[0\]\.name.*the BuildKit path's/s);
      expect(() => validateSettings({ ...DEBIAN, derived: [{ name }] }, 't')).not.toThrow();
    }
    // Across configs, the layout check still names a clash of target names.
    const a: RenderEntry = { id: 'a-buildkit', origin: { ...origin, generatedFrom: 'a' }, settings: validateSettings({ ...DEBIAN, name: 'local/a' }, 't') };
    const b: RenderEntry = { id: 'a', origin: { ...origin, generatedFrom: 'b' }, settings: validateSettings({ ...DEBIAN, name: 'local/b', backend: 'mmdebstrap' }, 't') };
    expect(() => renderAll([a, b], origin)).toThrow(/"a-buildkit"/);
  });
});

describe("explain's BuildKit ledger", () => {
  it.each(withBuildkit.map((e) => [e.id, e] as const))('%s: nothing as root on the host, no mount and no engine in the build container', (_, entry) => {
    const plan = planImage(entry);
    const ledger = buildkitLedger(plan.buildkit!, plan.script, plan.resolved);
    expect(ledger.host).toEqual([`docker buildx bake -f docker-bake.hcl ${entry.id}-buildkit`]);
    expect(ledger.host.join('\n')).not.toMatch(/\bsudo\b|mkimage\.sh/);
    expect(ledger.container.filter((e) => e.kind === 'mount' || e.kind === 'unmount')).toEqual([]);
    expect(ledger.container.map((e) => e.what).join('\n')).not.toMatch(/\b(docker|podman) import\b/);
    expect(ledger.container.some((e) => e.what.includes('--skip=chroot/mount'))).toBe(true);
    const json = explainJson(plan, renderImage(plan), '', runtimeParts());
    expect(json.buildkit).toMatchObject({ available: true, group: `${entry.id}-buildkit` });
  });

  it('a debootstrap config mounts (so the check above can fail), and has no BuildKit path', () => {
    const plan = planImage({ id: 'd', origin, settings: validateSettings(DEBIAN, 't') });
    expect(rootLedger(plan.script, plan.resolved).some((e) => e.kind === 'mount' && e.when === undefined)).toBe(true);
    expect(plan.buildkit).toBeNull();
  });
});

describe('mkimage.sh --buildkit (dry run, as nobody)', () => {
  const script = file(twoArches, 'mkimage.sh')!;

  it('builds only the platform it is given, mounts nothing, imports nothing, and its commands are the ledger', () => {
    const run = runAsNobody(script, ['--buildkit', '--mode', 'root', '--platform', 'linux/arm64', '--dry-run', '--work-dir', '/W', '--output-dir', '/O']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('--arch=arm64');
    expect(run.stdout).not.toContain('--arch=amd64');
    expect(run.stdout).toContain('--skip=chroot/mount');
    expect(run.stdout).toMatch(/docker import .*skipped: BuildKit makes the image/);
    expect(run.stdout).toMatch(/OCI image layout \.\.\. skipped: BuildKit makes the image/);
    expect(run.stdout).not.toMatch(/^\+ (mount|docker|podman) /m);
    const plan = planImage(twoArches);
    const mmdebstrap = buildkitLedger(plan.buildkit!, plan.script, plan.resolved).container.find((e) => e.step === 'mmdebstrap_build' && e.what.includes(' mmdebstrap '))!;
    const printed = run.stdout.split('\n').filter((l) => l.startsWith('+ ') && l.includes(' mmdebstrap ')).map((l) => symbolic(l.slice(2)));
    expect(printed.map((l) => l.replace(/arm64/g, 'amd64').replace(/\/[^' ]*mkimage-gen-dry-[^/' ]+\//g, '/S/'))).toContain(mmdebstrap.what.replace(/\$SCRIPT_DIR\//g, '/S/'));
  });

  it('refuses what a build container cannot do, naming it', () => {
    const cases: [string[], RegExp][] = [
      [['--buildkit', '--mode', 'root', '--platform', 'linux/s390x'], /--platform linux\/s390x: this script builds linux\/amd64 linux\/arm64/],
      [['--buildkit', '--mode', 'root', '--tmpfs'], /--tmpfs mounts a file system, which a build container may not/],
      [['--buildkit', '--mode', 'unshare'], /--buildkit builds in mode root/],
      [['--platform', 'linux/arm64'], /--platform goes with --buildkit/],
    ];
    for (const [args, message] of cases) {
      const run = runAsNobody(script, [...args, '--dry-run']);
      expect(run.status, args.join(' ')).not.toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    const debootstrap = renderImage(planImage({ id: 'd', settings: validateSettings(DEBIAN, 't'), origin })).find((f) => f.path === 'mkimage.sh')!.content;
    const run = runAsNobody(debootstrap, ['--buildkit', '--dry-run']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--buildkit needs the mmdebstrap backend: debootstrap mounts \/proc and \/sys/);
  });

  it("a minimal image's build side mounts nothing either, and its mmdebstrap call is the ledger's", () => {
    const minimal = presets.find((e) => e.settings.profile !== undefined)!;
    const run = runAsNobody(file(minimal, 'mkimage.sh')!, ['--buildkit', '--mode', 'root', '--dry-run', '--work-dir', '/W', '--output-dir', '/O']);
    expect(run.status, run.stderr).toBe(0);
    const printed = run.stdout.split('\n').filter((l) => l.startsWith('+ ') && l.includes(' mmdebstrap '));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('--variant=extract');
    expect(printed[0]).toContain('--skip=chroot/mount');
    expect(run.stdout).not.toMatch(/^\+ (mount|docker|podman) /m);
    const plan = planImage(minimal);
    const entry = buildkitLedger(plan.buildkit!, plan.script, plan.resolved).container.find((e) => e.step === 'minimal_build' && e.what.includes(' mmdebstrap '))!;
    expect(entry.what).toContain('--skip=chroot/mount');
    // The host build mounts /proc in the build side (the flag is only for the build container).
    expect(rootLedger(plan.script, plan.resolved).find((e) => e.step === 'minimal_build' && e.what.includes(' mmdebstrap '))!.what).not.toContain('--skip=chroot/mount');
  });
});
