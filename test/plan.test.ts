import { describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import type { Settings } from '../src/model/index.js';
import { resolve } from '../src/plan/resolve.js';
import { sourcesFile } from '../src/plan/sources.js';
import { tweakFiles, undoCommands } from '../src/plan/tweaks.js';
import type { Command } from '../src/plan/commands.js';
import { DEBIAN, settings, UBUNTU } from './helpers/settings.js';

const origin = { generatedFrom: 'test', regenerate: 'test' };
const lines = (s: Settings) => resolve(s).sources.map((x) => `${x.uri} ${x.suite}`);
const scriptPlan = (s: Settings) => planImage({ id: 'test', settings: s, origin }).script;
/** The data a step's template renders, or undefined where the step does not run. */
/** What main calls, in order: before the architectures, for each, after them. */
const mainCalls = (p: ReturnType<typeof scriptPlan>) => [...p.mainSteps.before, ...p.mainSteps.perArch, ...p.mainSteps.after];
const stepData = (s: Settings, fn: string): any => scriptPlan(s).steps.find((step) => step.fn === fn)?.data;
/** The commands of a step that is a command list, or undefined where the step does not run. */
const stepCommands = (s: Settings, fn: string): Command[] | undefined => scriptPlan(s).steps.find((step) => step.fn === fn)?.commands ?? undefined;
/** What a step feeds debconf-set-selections, or undefined where it gives no answers. */
const selections = (commands: Command[] | undefined) =>
  commands?.flatMap((c) => (c.kind === 'chroot' && c.argv[0] === 'debconf-set-selections' ? [c.stdin] : []))[0];
const writes = (commands: Command[] | undefined) => (commands ?? []).flatMap((c) => (c.kind === 'write' ? [c] : []));
const chrootLines = (commands: Command[] | undefined) => (commands ?? []).flatMap((c) => (c.kind === 'chroot' ? [c.argv.join(' ')] : []));
const VALIDITY = /^\/etc\/apt\/apt\.conf\.d\/docker-(archived|snapshot)$/;

describe('apt sources', () => {
  it('uses <suite>-security on the security mirror from bullseye on', () => {
    expect(lines(settings(DEBIAN))).toEqual([
      'http://mirror.example/debian bookworm',
      'http://mirror.example/debian bookworm-updates',
      'http://mirror.example/debian-security bookworm-security',
    ]);
  });

  it('uses <suite>/updates and the archive for archived Debian, without the removed -updates', () => {
    const wheezy = settings(DEBIAN, { suite: 'wheezy', mirror: 'http://archive.example/debian', securityMirror: undefined });
    expect(lines(wheezy)).toEqual(['http://archive.example/debian wheezy', 'http://archive.debian.org/debian-security wheezy/updates']);
  });

  it('serves Ubuntu security from the mirror itself, as the seed did, with universe', () => {
    const precise = settings(UBUNTU, { suite: 'precise', mirror: 'http://old.example/ubuntu' });
    expect(sourcesFile(resolve(precise)).content).toBe(
      'deb http://old.example/ubuntu precise main universe\n' +
        'deb http://old.example/ubuntu precise-updates main universe\n' +
        'deb http://old.example/ubuntu precise-security main universe\n',
    );
  });

  it('has no security line for sid and none when security is off', () => {
    expect(lines(settings(DEBIAN, { suite: 'sid', securityMirror: undefined }))).toEqual(['http://mirror.example/debian sid']);
    expect(lines(settings(DEBIAN, { apt: { security: false, updates: false } }))).toEqual(['http://mirror.example/debian bookworm']);
  });

  it('writes deb822 for trixie and noble, grouping suites of one mirror into one stanza', () => {
    const trixie = sourcesFile(resolve(settings(DEBIAN, { suite: 'trixie' })));
    expect(trixie.path).toBe('/etc/apt/sources.list.d/debian.sources');
    expect(trixie.content).toContain('Suites: trixie trixie-updates\n');
    expect(trixie.content).toContain('URIs: http://mirror.example/debian-security\nSuites: trixie-security\n');
    expect(trixie.content).toContain('Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n');
    const noble = sourcesFile(resolve(settings(UBUNTU)));
    expect(noble.path).toBe('/etc/apt/sources.list.d/ubuntu.sources');
    expect(noble.content).toContain('Suites: noble noble-updates noble-security\n');
  });

  it('follows an explicit format over the release default', () => {
    expect(sourcesFile(resolve(settings(DEBIAN, { suite: 'trixie', apt: { format: 'one-line' } }))).path).toBe('/etc/apt/sources.list');
    expect(sourcesFile(resolve(settings(DEBIAN, { apt: { format: 'deb822' } }))).path).toBe('/etc/apt/sources.list.d/debian.sources');
  });
});

describe('resolution', () => {
  it('includes the release network package first, once', () => {
    expect(resolve(settings(DEBIAN, { suite: 'wheezy', mirror: 'http://a.example/debian', include: ['curl'] })).include).toEqual(['iproute', 'curl']);
    expect(resolve(settings(DEBIAN, { include: ['iproute2', 'curl'] })).include).toEqual(['iproute2', 'curl']);
    expect(resolve(settings(DEBIAN, { networkTools: false })).include).toEqual([]);
  });

  it('diverts initctl on auto only in the upstart era, or when asked', () => {
    expect(resolve(settings(UBUNTU, { suite: 'precise' })).divertInitctl).toBe(true);
    expect(resolve(settings(UBUNTU)).divertInitctl).toBe(false);
    expect(resolve(settings(DEBIAN, { tweaks: { initctl: true } })).divertInitctl).toBe(true);
    expect(resolve(settings(UBUNTU, { suite: 'trusty', tweaks: { initctl: false } })).divertInitctl).toBe(false);
  });

  it('checks archived releases with the retired keys and keeps Check-Valid-Until off', () => {
    const wheezy = resolve(settings(DEBIAN, { suite: 'wheezy', mirror: 'http://a.example/debian' }));
    expect(wheezy.hostKeyring).toBe('/usr/share/keyrings/debian-archive-removed-keys.gpg');
    expect(writes(stepCommands(wheezy.settings, 'apt_sources')).find((w) => VALIDITY.test(w.path))?.content).toBe('Acquire::Check-Valid-Until "false";\n');
    expect(writes(stepCommands(settings(DEBIAN), 'apt_sources')).find((w) => VALIDITY.test(w.path))).toBeUndefined();
  });

  it('tags the suite, then latest and the extras; the version comes from the rootfs', () => {
    const r = resolve(settings(DEBIAN, { output: { latest: true, tags: ['ja', 'bookworm'] } }));
    expect(r.staticTags).toEqual(['bookworm', 'latest', 'ja']);
    expect(r.baseReference).toBe('local/test:bookworm');
  });

  it('names the tarball after the compression', () => {
    expect(resolve(settings(DEBIAN)).tarball).toBe('rootfs.tar.xz');
    expect(resolve(settings(DEBIAN, { output: { compression: 'zstd' } })).tarball).toBe('rootfs.tar.zst');
    expect(resolve(settings(DEBIAN, { output: { compression: 'none' } })).tarball).toBe('rootfs.tar');
  });
});

describe('script plan', () => {
  it('answers debconf with the seed locale selections on Debian', () => {
    const plan = stepCommands(settings(DEBIAN, { locales: { generate: ['ja_JP.UTF-8', 'ja_JP.EUC-JP'], default: 'ja_JP.UTF-8' } }), 'locales');
    // debconf generates them: no locale-gen.
    expect(chrootLines(plan).some((l) => l.startsWith('locale-gen'))).toBe(false);
    expect(selections(plan)).toBe(
      'locales locales/locales_to_be_generated multiselect ja_JP.EUC-JP EUC-JP, ja_JP.UTF-8 UTF-8\n' +
        'locales locales/default_environment_locale select ja_JP.UTF-8\n',
    );
  });

  it('answers tzdata with its area and zone; single names live under Etc', () => {
    const tokyo = stepCommands(settings(DEBIAN, { timezone: 'Asia/Tokyo' }), 'timezone');
    expect(selections(tokyo)).toBe('tzdata tzdata/Areas select Asia\ntzdata tzdata/Zones/Asia select Tokyo\n');
    const utc = stepCommands(settings(DEBIAN, { timezone: 'UTC' }), 'timezone');
    expect(selections(utc)).toBe('tzdata tzdata/Areas select Etc\ntzdata tzdata/Zones/Etc select UTC\n');
  });

  it('names each locale to debconf by its line in glibc\'s SUPPORTED list', () => {
    const plan = stepCommands(settings(DEBIAN, { locales: { generate: ['en_US.ISO-8859-1', 'sr_RS.UTF-8@latin'] } }), 'locales');
    expect(selections(plan)).toContain('multiselect en_US ISO-8859-1, sr_RS@latin UTF-8\n');
  });

  it('takes C.UTF-8 as the default locale without generating it', () => {
    const config = settings(DEBIAN, { locales: { default: 'C.UTF-8' } });
    expect(stepData(config, 'locales')).toBeUndefined();
    expect(planImage({ id: 'test', settings: config, origin }).dockerfile.env).toEqual([{ key: 'LANG', value: 'C.UTF-8' }]);
  });

  it('uses locale-gen on Ubuntu', () => {
    const plan = stepCommands(settings(UBUNTU, { locales: { generate: ['ja_JP.UTF-8'] } }), 'locales');
    expect(selections(plan)).toBeUndefined();
    expect(chrootLines(plan)).toContain('locale-gen ja_JP.UTF-8');
    // No default locale: no update-locale.
    expect(chrootLines(plan).some((l) => l.startsWith('update-locale'))).toBe(false);
  });

  it('numbers only the steps the settings ask for', () => {
    const minimal = scriptPlan(settings(DEBIAN, { upgrade: false, clean: false, reproducible: false, output: { import: 'none' } }));
    expect(minimal.steps.map((s) => s.fn)).toEqual([
      'release_date',
      'bootstrap',
      'write_tweaks',
      'apt_sources',
      'finalize',
      'tarball',
      'records',
      'publish',
    ]);
    expect(minimal.steps[0]!.data).toEqual({ epochFromRelease: false, keys: [] });
    const full = scriptPlan(
      settings(DEBIAN, { timezone: 'Asia/Tokyo', slim: true, tweaks: { initctl: true }, locales: { generate: ['ja_JP.UTF-8'] } }),
    );
    expect(full.steps.map((s) => `${s.label} ${s.fn}`)).toEqual([
      '1/15 release_date',
      '2/15 bootstrap',
      '3/15 write_tweaks',
      '4/15 divert_initctl',
      '5/15 apt_sources',
      '6/15 apt_upgrade',
      '7/15 locales',
      '8/15 timezone',
      '9/15 slim',
      '10/15 apt_clean',
      '11/15 finalize',
      '12/15 tarball',
      '13/15 records',
      '14/15 publish',
      '15/15 import_image',
    ]);
    expect(mainCalls(full).map((s) => s.fn)).toEqual(full.steps.map((s) => s.fn));
    expect(full.hookStages).toBe(false);
  });

  it('reads the Release files for the build record, but takes a pinned epoch over their dates', () => {
    const pinned = scriptPlan(settings(DEBIAN, { sourceDateEpoch: 1700000000 }));
    expect(pinned.steps.find((s) => s.fn === 'release_date')?.data).toEqual({ epochFromRelease: false, keys: [] });
    expect(pinned.variables.find((v) => v.name === 'EPOCH')?.value).toBe('1700000000');
    const dated = scriptPlan(settings(DEBIAN));
    expect(dated.steps.find((s) => s.fn === 'release_date')?.data).toEqual({ epochFromRelease: true, keys: [] });
    expect(dated.variables.find((v) => v.name === 'EPOCH')?.value).toBe('');
    expect(pinned.requiredFiles.map((f) => f.path)).toContain('/usr/lib/apt/apt-helper');
  });

  it('runs the same chroot work inside mmdebstrap hooks, with no upgrade step', () => {
    const config = settings(UBUNTU, { suite: 'noble', backend: 'mmdebstrap', locales: { generate: ['ja_JP.UTF-8'] } });
    const mm = scriptPlan(config);
    expect(mainCalls(mm).map((s) => s.fn)).toEqual(['release_date', 'mmdebstrap_build', 'records', 'publish', 'import_image']);
    // Defined in the order they run: the hook steps inside the build, before the import.
    expect(mm.steps.map((s) => `${s.label} ${s.fn}`)).toEqual([
      '1/5 release_date',
      '2/5 mmdebstrap_build',
      'hook setup write_tweaks',
      'hook customize apt_tweaks',
      'hook customize apt_sources',
      'hook customize locales',
      'hook customize apt_clean',
      'hook customize finalize',
      '3/5 records',
      '4/5 publish',
      '5/5 import_image',
    ]);
    const { stages } = stepData(config, 'mmdebstrap_build');
    expect(stages.setup.map((s: { fn: string }) => s.fn)).toEqual(['write_tweaks']);
    expect(stages.essential).toEqual([]);
    expect(stages.customize.map((s: { fn: string }) => s.fn)).toEqual(['apt_tweaks', 'apt_sources', 'locales', 'apt_clean', 'finalize']);
    // locales comes with the variant; Ubuntu then generates by name, with no debconf answers to give.
    expect(mm.arrays.find((a) => a.name === 'INCLUDE')?.values).toContain('locales');
    expect(chrootLines(stepCommands(config, 'locales')).some((l) => l.includes('install'))).toBe(false);
    expect(mm.tools.map((t) => t.command)).toContain('mmdebstrap');
    expect(mm.maps.find((a) => a.name === 'APT_LINES')?.entries).toEqual([
      {
        key: 'amd64',
        value: [
          'deb http://mirror.example/ubuntu noble main universe',
          'deb http://mirror.example/ubuntu noble-updates main universe',
          'deb http://mirror.example/ubuntu noble-security main universe',
        ].join('\n'),
      },
    ]);
    expect(mm.variables.find((v) => v.name === 'VARIANT')?.value).toBe('minbase');
  });

  it('installs locales and tzdata in mmdebstrap\'s own apt run, answered at the essential hook', () => {
    const config = settings(DEBIAN, { backend: 'mmdebstrap', timezone: 'Asia/Tokyo', locales: { generate: ['ja_JP.UTF-8'], default: 'ja_JP.UTF-8' } });
    const mm = scriptPlan(config);
    expect(mm.arrays.find((a) => a.name === 'INCLUDE')?.values).toEqual(expect.arrayContaining(['locales', 'tzdata']));
    const { stages } = stepData(config, 'mmdebstrap_build');
    expect(stages.essential.map((s: { fn: string }) => s.fn)).toEqual(['debconf_preseed']);
    expect(stages.customize.map((s: { fn: string }) => s.fn)).not.toContain('timezone');
    const preseed = stepCommands(config, 'debconf_preseed');
    expect(selections(preseed)!.split('\n')).toEqual(
      expect.arrayContaining([
        'locales locales/locales_to_be_generated multiselect ja_JP.UTF-8 UTF-8',
        'tzdata tzdata/Areas select Asia',
        'tzdata tzdata/Zones/Asia select Tokyo',
      ]),
    );
    expect(preseed).toContainEqual({ kind: 'link', target: '/usr/share/zoneinfo/Asia/Tokyo', path: '/etc/localtime' });
    // apt's own tweaks wait for the customize hook; dpkg's and policy-rc.d are there from the start.
    const early = writes(stepCommands(config, 'write_tweaks')).map((f) => f.path);
    const late = writes(stepCommands(config, 'apt_tweaks')).map((f) => f.path);
    expect(early).toEqual(['/usr/sbin/policy-rc.d', '/etc/dpkg/dpkg.cfg.d/02apt-speedup']);
    expect(late).toContain('/etc/apt/apt.conf.d/no-cache');
    expect(late.every((p: string) => p.startsWith('/etc/apt/'))).toBe(true);
  });

  it('leaves the debootstrap backend\'s installs in the chroot', () => {
    const deb = scriptPlan(settings(DEBIAN, { timezone: 'Asia/Tokyo', locales: { generate: ['ja_JP.UTF-8'] } }));
    expect(deb.arrays.find((a) => a.name === 'INCLUDE')?.values).not.toContain('locales');
    expect(deb.steps.map((s) => s.fn)).toEqual(expect.arrayContaining(['locales', 'timezone']));
    expect(deb.steps.map((s) => s.fn)).not.toContain('debconf_preseed');
  });

  it('diverts initctl at mmdebstrap\'s essential stage, once dpkg exists', () => {
    const { stages } = stepData(settings(UBUNTU, { suite: 'trusty', backend: 'mmdebstrap' }), 'mmdebstrap_build');
    expect(stages.essential.map((s: { fn: string }) => s.fn)).toEqual(['divert_initctl']);
  });

  it('calls debootstrap\'s default variant by mmdebstrap\'s name', () => {
    const mm = scriptPlan(settings(DEBIAN, { backend: 'mmdebstrap', variant: 'default' }));
    expect(mm.variables.find((v) => v.name === 'VARIANT')?.value).toBe('important');
  });

  it('undoes only the seed tweaks that were applied', () => {
    expect(undoCommands(resolve(settings(UBUNTU, { suite: 'precise' })))).toEqual([
      ['rm', '-f', '/usr/sbin/policy-rc.d'],
      ['rm', '-f', '/sbin/initctl'],
      ['dpkg-divert', '--local', '--rename', '--remove', '/sbin/initctl'],
      ['rm', '-f', '/etc/dpkg/dpkg.cfg.d/02apt-speedup'],
      ['rm', '-f', '/etc/apt/apt.conf.d/no-cache'],
    ]);
    expect(undoCommands(resolve(settings(DEBIAN, { tweaks: { policyRcD: false, unsafeIo: false, noCache: false } })))).toEqual([]);
  });
});

describe('apt caches in images built FROM the base', () => {
  it('the no-cache tweak turns off apt\'s binary caches, as the official images\' apt settings do', () => {
    const noCache = tweakFiles(resolve(settings(DEBIAN))).find((f) => f.path === '/etc/apt/apt.conf.d/no-cache')!;
    expect(noCache.content.split('\n')).toEqual(
      expect.arrayContaining(['Dir::Cache::pkgcache "";', 'Dir::Cache::srcpkgcache "";', 'DPkg::Post-Invoke {"/bin/rm -f /var/cache/apt/archives/*.deb || true";};']),
    );
  });

  it('the base image\'s clean step removes the binary caches by name: apt-get clean keeps those its config does not name', () => {
    for (const backend of ['debootstrap', 'mmdebstrap'] as const) {
      const script = renderImage(planImage({ id: 'test', settings: settings(DEBIAN, { backend }), origin })).find((f) => f.path === 'mkimage.sh')!.content;
      const clean = /^apt_clean\(\) \{\n([\s\S]*?)^\}$/m.exec(script)![1]!;
      expect(clean.split('\n').map((l) => l.trim())).toEqual([
        'in_chroot apt-get clean',
        'rootfs_rm /var/cache/apt/pkgcache.bin /var/cache/apt/srcpkgcache.bin',
        '# The lists as the last apt-get update left them, before they go.',
        'check_apt_lists',
        "rootfs_rm -r '/var/lib/apt/lists/*'",
        '',
      ]);
    }
  });

  it('a derived image\'s install ends with apt-get clean and no lists, in the same layer', () => {
    const s = settings(DEBIAN, { tweaks: { noCache: false }, derived: [{ name: 'local/tools', packages: ['less'] }] });
    const dockerfile = renderImage(planImage({ id: 'test', settings: s, origin })).find((f) => f.path === 'derived/tools/Dockerfile')!.content;
    const run = /^RUN set -eux; \\\n(?:    .*\n)+/m.exec(dockerfile)![0];
    const commands = run.split('\n').map((l) => l.trim().replace(/;? \\$/, ''));
    expect(commands.slice(1, 5)).toEqual([
      'apt-get update',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends less',
      'apt-get clean',
      'rm -rf /var/lib/apt/lists/*',
    ]);
  });
});

describe('snapshot pins', () => {
  const at = '20250101T000000Z';

  it('builds Debian from snapshot.debian.org, debian and debian-security, and points the image at the mirror', () => {
    const r = resolve(settings(DEBIAN, { snapshot: at }));
    expect(r.buildSources.map((x) => `${x.uri} ${x.suite}`)).toEqual([
      `http://snapshot.debian.org/archive/debian/${at} bookworm`,
      `http://snapshot.debian.org/archive/debian/${at} bookworm-updates`,
      `http://snapshot.debian.org/archive/debian-security/${at} bookworm-security`,
    ]);
    expect(r.sources.map((x) => x.uri)).toEqual(['http://mirror.example/debian', 'http://mirror.example/debian', 'http://mirror.example/debian-security']);
    expect(r.epoch).toBe(Date.UTC(2025, 0, 1) / 1000);
    expect(r.noValidUntil).toEqual({ build: true, image: false });
    const plan = scriptPlan(r.settings);
    expect(plan.maps.find((m) => m.name === 'MIRRORS')?.entries).toEqual([{ key: 'amd64', value: `http://snapshot.debian.org/archive/debian/${at}` }]);
    expect(plan.variables.find((v) => v.name === 'EPOCH')?.value).toBe(String(r.epoch));
    expect(writes(stepCommands(r.settings, 'apt_sources')).find((w) => VALIDITY.test(w.path))?.path).toBe('/etc/apt/apt.conf.d/docker-snapshot');
    expect(stepCommands(r.settings, 'image_sources')).toEqual([
      { kind: 'write', ...sourcesFile(r) },
      { kind: 'remove', paths: ['/etc/apt/apt.conf.d/docker-snapshot'], recursive: false, why: expect.any(String) },
    ]);
  });

  it('gives each architecture its own records and expected manifest', () => {
    const two = scriptPlan(settings(DEBIAN, { arch: ['amd64', 'arm64'], expect: 'pins/expected.manifest', output: { compression: 'zstd' } }));
    const entries = (name: string) => two.maps.find((m) => m.name === name)!.entries;
    expect(entries('RECORD_FILES')[1]).toEqual({
      key: 'arm64',
      value: ['rootfs-arm64.manifest', 'rootfs-arm64.spdx.json', 'rootfs-arm64.cdx.json', 'rootfs-arm64.build.json', 'rootfs-arm64.provenance.json'].join('\n'),
    });
    expect(entries('EXPECTS').map((e) => e.value)).toEqual(['pins/expected-amd64.manifest', 'pins/expected-arm64.manifest']);
    expect(entries('EXPECTS').length).toBe(2);
    const one = scriptPlan(settings(DEBIAN, { expect: 'expected.manifest' }));
    expect(one.maps.find((m) => m.name === 'EXPECTS')!.entries).toEqual([{ key: 'amd64', value: 'expected.manifest' }]);
  });

  it('builds Ubuntu from snapshot.ubuntu.com, ports for other architectures', () => {
    expect(resolve(settings(UBUNTU, { snapshot: at })).buildSources.map((x) => x.uri)).toEqual(Array(3).fill(`http://snapshot.ubuntu.com/ubuntu/${at}`));
    const arm = resolve(settings(UBUNTU, { snapshot: at, arch: 'arm64', mirror: 'http://mirror.example/ubuntu-ports' }));
    expect(arm.buildSources[0]!.uri).toBe(`http://snapshot.ubuntu.com/ubuntu-ports/${at}`);
    const mm = scriptPlan(settings(UBUNTU, { snapshot: at, backend: 'mmdebstrap' }));
    const aptLines = mm.maps.find((m) => m.name === 'APT_LINES')!.entries[0]!.value.split('\n');
    expect(aptLines[0]).toBe(`deb http://snapshot.ubuntu.com/ubuntu/${at} noble main universe`);
    const words = (stepData(settings(UBUNTU, { snapshot: at, backend: 'mmdebstrap' }), 'mmdebstrap_build').options as { lines: { words: unknown[] }[] }).lines.flatMap((o) => o.words);
    expect(words).toContain('--aptopt=Acquire::Check-Valid-Until "false"');
  });

  it('keeps the snapshot in the image when asked, and turns Valid-Until off for any snapshot mirror', () => {
    const kept = resolve(settings(DEBIAN, { snapshot: at, apt: { keepSnapshot: true } }));
    expect(kept.sources).toEqual(kept.buildSources);
    expect(kept.noValidUntil).toEqual({ build: true, image: true });
    expect(stepData(kept.settings, 'image_sources')).toBeUndefined();
    const mirror = resolve(settings(DEBIAN, { mirror: `http://snapshot.debian.org/archive/debian/${at}` }));
    expect(mirror.noValidUntil).toEqual({ build: true, image: true });
    expect(resolve(settings(DEBIAN)).noValidUntil).toEqual({ build: false, image: false });
  });
});
