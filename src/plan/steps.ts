// The steps of the generated script, as data: which shell functions run, in which
// order, at which stage, and what each does. Most steps are a list of commands
// (./commands.ts), which one renderer turns into the function, the dry run and the root
// ledger; a step whose shell cannot be a list names its template and declares its
// ledger part beside its entry (./shell-steps.ts). The script defines the functions in
// this order and calls them from it. Adding a step: one entry here (a command list, or
// a template and its ledger part) and a test.
import { localeCharset } from '../model/formats.js';
import { supportedLine } from '../releases/locales.js';
import type { Resolved } from './resolve.js';
import { accountCommands, caCertificateFiles, hookStep, imageFiles, repositoriesStep } from './additions.js';
import { APT_OPTIONS, commandLedger, commandStep, type Command } from './commands.js';
import type { LedgerWriter } from './ledger-entry.js';
import { buildStep, importSteps, publishSteps, releaseDateStep, slimStep, tarballStep, usesEatmydata } from './shell-steps.js';
import { ONE_LINE_SOURCES, sourcesFile, type ImageFile } from './sources.js';
import type { OciPlan } from './oci.js';
import { pushStep } from './publish.js';
import { minimalSteps } from './minimal.js';
import { INITCTL, tweakFiles, undoCommands, validityAptFile } from './tweaks.js';

/**
 * main: the script runs it itself. setup, essential, customize: mmdebstrap calls the
 * script back at that hook stage, with its rootfs.
 */
export type Stage = 'main' | 'setup' | 'essential' | 'customize';
export const HOOK_STAGES = ['setup', 'essential', 'customize'] as const;

/** One step: the shell function `fn`, defined by templates/<template>.hbs from `data`. */
export interface StepPlan {
  fn: string;
  title: string;
  stage: Stage;
  /** The progress line's label: `3/9` for the script's own steps, `hook customize` inside mmdebstrap. */
  label: string;
  /** The template that defines the function, relative to templates/. */
  template: string;
  /** main runs it once for each architecture (with ARCH, ROOTFS, TARBALL, ... of that one). */
  perArch: boolean;
  data: object;
  /** What it does, where it is a list: the template is steps/commands, its ledger part this list's. */
  commands: Command[] | null;
  /** Its root ledger part, for the architecture `out` is at. */
  ledger: (out: LedgerWriter) => void;
  /** The step globals (STEP_GLOBALS) it reads and sets: what one step hands the next. */
  globals: StepGlobals;
}

/**
 * The globals steps hand each other (the runtime's state part declares them): the tarball
 * and its checksum, the release version and the facts made from it, what was published.
 * Every other value a step reads is a setting, or the architecture's (select_arch).
 */
export const STEP_GLOBALS = ['TMP_TARBALL', 'PACKAGES_DB', 'TARBALL_SHA', 'RELEASE_VERSION', 'RELEASE_EPOCH', 'RELEASE_TAGS', 'BUILD_CREATED', 'BUILD_VARS', 'MADE_FILES', 'MADE_TAGS'] as const;
export type StepGlobal = (typeof STEP_GLOBALS)[number];
export interface StepGlobals {
  reads: StepGlobal[];
  sets: StepGlobal[];
}

/** A step as the lists below declare it: a command list, or a template with its data and ledger part. */
export type StepSpec = {
  fn: string;
  title: string;
  /** Runs once for all architectures (release date, import, OCI), not once per architecture. */
  once?: boolean;
} & (
  | {
      /** The comment above the function: why the step is there. */
      doc: string[];
      commands: Command[];
    }
  | {
      /** templates/steps/<template>.hbs defines the function from `data`. */
      template: string;
      data: object;
      ledger: (out: LedgerWriter) => void;
      globals: StepGlobals;
    }
);

/** A step's call: what `main` or a hook stage runs. */
export type StepCall = Pick<StepPlan, 'fn' | 'title' | 'label'>;

/**
 * The sources file each architecture gets (the image's, or the build's), one entry per
 * distinct file with the architectures that get it; perArch where they differ (Ubuntu's
 * ports architectures read another mirror).
 */
function sourcesByArch(r: Resolved, which: 'sources' | 'buildSources') {
  const files: { arches: string[]; file: ReturnType<typeof sourcesFile> }[] = [];
  for (const build of r.builds) {
    const file = sourcesFile(r, build[which]);
    const same = files.find((g) => g.file.content === file.content && g.file.path === file.path);
    if (same) same.arches.push(build.arch);
    else files.push({ arches: [build.arch], file });
  }
  return { perArch: files.length > 1, files };
}

/** debconf names a locale by its line in glibc's SUPPORTED list: `ja_JP.UTF-8 UTF-8`, `en_US ISO-8859-1`. */
const localeGenEntry = (locale: string) => supportedLine(locale) ?? `${locale} ${localeCharset(locale)}`;
const lines = (items: string[]) => items.map((line) => `${line}\n`).join('');

function localeSelections(r: Resolved): string {
  const s = r.settings;
  const locales = [...s.locales.generate].sort();
  return lines([
    `locales locales/locales_to_be_generated multiselect ${locales.map(localeGenEntry).join(', ')}`,
    `locales locales/default_environment_locale select ${s.locales.default ?? 'None'}`,
  ]);
}

/** tzdata files single names (UTC) under its area Etc. */
function timezoneSelections(zone: string): string {
  const [area, ...city] = zone.includes('/') ? zone.split('/') : ['Etc', zone];
  return lines([`tzdata tzdata/Areas select ${area}`, ...(city.length > 0 ? [`tzdata tzdata/Zones/${area} select ${city.join('/')}`] : [])]);
}

/**
 * What mmdebstrap installs for the chroot steps in its own apt run, with the variant:
 * locales and tzdata, their debconf answers given at the essential hook. One apt run
 * instead of two more inside the customize hook.
 */
export function hookInstalls(r: Resolved): string[] {
  const s = r.settings;
  if (s.backend !== 'mmdebstrap') return [];
  return [...(s.locales.generate.length > 0 ? ['locales'] : []), ...(s.timezone !== undefined ? ['tzdata'] : [])];
}

/** What the bootstrap adds to the variant (the INCLUDE setting): the config's packages, then mmdebstrap's for the chroot steps. */
export const included = (r: Resolved): string[] => [...r.include, ...hookInstalls(r)];

/** debootstrap: the build runs apt-get update (and so reads every source) once the sources are in place. */
const debootstrapUpdates = (r: Resolved) =>
  r.settings.upgrade || r.settings.locales.generate.length > 0 || r.settings.timezone !== undefined || r.aptInstall.length > 0;

/** mmdebstrap: apt-get update runs again at the customize hook, for the extra repositories' packages. */
const mmdebstrapUpdates = (r: Resolved) => r.settings.backend === 'mmdebstrap' && r.repositories.length > 0 && r.aptInstall.length > 0;

/**
 * The Release files each architecture's build reads, as `<uri>/dists/<suite>`: debootstrap
 * reads the suite's, then every source's when apt-get update runs; mmdebstrap every
 * source's at once. The extra repositories' are read where an apt-get update runs after
 * their sources are in place. release_date checks these before the build, and the build
 * proves it read these same files.
 */
export function releasesRead(r: Resolved): { arch: string; dists: string[] }[] {
  const mmdebstrap = r.settings.backend === 'mmdebstrap';
  const readsAll = mmdebstrap || debootstrapUpdates(r);
  const readsRepositories = mmdebstrap ? mmdebstrapUpdates(r) : debootstrapUpdates(r);
  const repositories = r.repositories.flatMap((repo) => repo.suites.map((suite) => `${repo.uri}/dists/${suite}`));
  return r.builds.map((b) => ({
    arch: b.arch,
    dists: [
      ...new Set([
        ...(readsAll ? b.buildSources : b.buildSources.slice(0, 1)).map((src) => `${src.uri}/dists/${src.suite}`),
        ...(readsRepositories ? repositories : []),
      ]),
    ],
  }));
}


const write = (f: ImageFile, when?: Command['when']): Command => ({ kind: 'write', path: f.path, mode: f.mode, content: f.content, why: f.why, ...(when ? { when } : {}) });
const aptInstall = (...packages: string[]): string[] => ['apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', ...packages];

/** The localtime link and debconf agree, so tzdata keeps the zone. */
const timezoneFiles = (zone: string): Command[] => [
  { kind: 'link', target: `/usr/share/zoneinfo/${zone}`, path: '/etc/localtime' },
  { kind: 'write', path: '/etc/timezone', mode: '0644', content: `${zone}\n` },
];

/** A sources file per architecture where they differ (Ubuntu's ports), else the one file. */
function sourcesWrites(r: Resolved, which: 'sources' | 'buildSources'): Command[] {
  const { perArch, files } = sourcesByArch(r, which);
  return files.map(({ arches, file }) => write(file, perArch ? { arches } : undefined));
}

/** Each architecture's download when apt-get reads its sources. */
const fetchSources = (r: Resolved): Command[] =>
  r.builds.map((b) => ({ kind: 'fetch', what: b.buildSources.map((src) => `${src.uri} ${src.suite}`).join(', '), when: { arches: [b.arch] } }));

/** The debconf answers and time zone files mmdebstrap's essential hook sets before it installs hookInstalls(). */
function preseedStep(r: Resolved): StepSpec[] {
  const s = r.settings;
  const debconfLocales = s.locales.generate.length > 0 && r.distro.localeMethod === 'debconf';
  if (!debconfLocales && s.timezone === undefined) return [];
  const selections = (debconfLocales ? localeSelections(r) : '') + (s.timezone !== undefined ? timezoneSelections(s.timezone) : '');
  return [
    {
      fn: 'debconf_preseed',
      title: 'debconf answers',
      doc: [
        'The answers locales and tzdata read when mmdebstrap installs them with the variant',
        '(debconf is there once the essential packages are): the locales to generate and the',
        'default one, the time zone. One apt run installs them all, none runs in the chroot.',
      ],
      commands: [{ kind: 'chroot', argv: ['debconf-set-selections'], stdin: selections }, ...(s.timezone !== undefined ? timezoneFiles(s.timezone) : [])],
    },
  ];
}

/** The locales step: with mmdebstrap (`preseeded`) locales came with the variant; Debian generates by debconf, Ubuntu by locale-gen. */
function localesStep(r: Resolved, preseeded: boolean): StepSpec {
  const s = r.settings;
  const debconf = r.distro.localeMethod === 'debconf';
  const commands: Command[] = [];
  if (!preseeded && debconf) {
    commands.push({ kind: 'chroot', argv: ['debconf-set-selections'], stdin: localeSelections(r), why: 'Debian generates what debconf says when the locales package is installed.' });
    commands.push({ kind: 'chroot', argv: aptInstall('locales') });
  } else if (!preseeded) {
    commands.push({ kind: 'chroot', argv: aptInstall('locales'), why: 'Ubuntu generates locales by name with locale-gen, from the locales package.' });
  }
  if (!debconf) commands.push({ kind: 'chroot', argv: ['locale-gen', ...[...s.locales.generate].sort()] });
  if (s.locales.default !== undefined) commands.push({ kind: 'chroot', argv: ['update-locale', `LANG=${s.locales.default}`] });
  const doc = [`Locales to generate${s.locales.default !== undefined ? ", and the image's default LANG" : ''}.`];
  if (preseeded) doc.push("mmdebstrap installed locales with the variant, its debconf answers given at the essential hook.");
  return { fn: 'locales', title: 'locales', doc, commands };
}

/**
 * The chroot work both backends do, in the same order, so both give the same image.
 * With mmdebstrap, locales and tzdata arrive in its own apt run (`preseeded`), so the
 * locale step only sets the default and the time zone step has nothing left to do.
 */
function rootfsWork(r: Resolved): { sources: StepSpec[]; rest: StepSpec[] } {
  const s = r.settings;
  const preseeded = s.backend === 'mmdebstrap';
  const zone = s.timezone;
  const buildValidity = validityAptFile(r, true);
  const sources: StepSpec = {
    fn: 'apt_sources',
    title: 'apt sources',
    doc: [
      'The bootstrap writes only the release itself; add -updates and -security so the',
      `image gets fixes, from the same nearby mirror${r.snapshot ? ` (for the build: the snapshot of ${r.snapshot.timestamp})` : ''}.`,
    ],
    commands: [
      ...sourcesWrites(r, 'buildSources'),
      ...(r.sourcesFormat === 'deb822'
        ? [{ kind: 'remove', paths: [ONE_LINE_SOURCES], recursive: false, why: 'The deb822 file above replaces the one-line list the bootstrap wrote.' } as const]
        : []),
      ...(buildValidity ? [write(buildValidity)] : []),
    ],
  };
  const certificates = caCertificateFiles(s);
  const repositories = repositoriesStep(r);
  const before: StepSpec[] = [
    // First, so apt already trusts the company CA when it reads an https repository.
    ...(certificates.length > 0
      ? [
          {
            fn: 'ca_certificates',
            title: 'CA certificates',
            doc: [
              "The company's CA certificates, where update-ca-certificates reads them; it adds them",
              "to the bundle every TLS client in the image trusts (apt's https included).",
            ],
            commands: [
              ...certificates.map((c): Command => ({ kind: 'embedded', ...c, why: `${c.blob.source}, sha256 ${c.blob.sha256}` })),
              { kind: 'chroot', argv: ['update-ca-certificates'] } as const,
            ],
          },
        ]
      : []),
    sources,
    ...(repositories
      ? [
          {
            fn: 'apt_repositories',
            title: 'extra repositories and pins',
            doc: [
              "Extra repositories: each key goes into the image's keyring directory, its fingerprints",
              "checked with the host's gpg, and only the sources of its own repository trust it",
              '(Signed-By), so a vendor key cannot sign for Debian. Pinning priorities decide which',
              'repository wins where several carry a package.',
            ],
            commands: [
              ...repositories.keys.flatMap((key): Command[] => [
                { kind: 'embedded', path: key.path, mode: '0644', owner: 'root:root', blob: key.blob, why: key.why },
                { kind: 'check-key', path: key.path, fingerprints: key.fingerprints },
              ]),
              ...repositories.files.map((f) => write(f)),
            ],
          },
        ]
      : []),
  ];
  const steps: StepSpec[] = [];
  if (r.aptInstall.length > 0) {
    // mmdebstrap's package lists predate the extra repositories; debootstrap's update step runs after them.
    const update = mmdebstrapUpdates(r);
    const downgrades = r.aptInstall.some((p) => p.includes('='));
    steps.push({
      fn: 'install_packages',
      title: 'install packages',
      doc: [
        'Packages apt-get installs once the sources are in place: pinned versions (name=version,',
        'which debootstrap cannot take) and the packages of the extra repositories.',
      ],
      commands: [
        ...(update
          ? ([
              { kind: 'check-lists', why: "What mmdebstrap's apt read, before apt-get update reads it again with the repositories." },
              { kind: 'chroot', argv: ['apt-get', 'update'] },
              { kind: 'check-lists' },
            ] as const)
          : []),
        {
          kind: 'chroot',
          argv: ['apt-get', ...APT_OPTIONS, 'install', '--no-install-recommends', ...(downgrades ? ['--allow-downgrades'] : []), ...r.aptInstall],
          ...(downgrades ? { why: 'A pin may name an older version than the one the bootstrap installed.' } : {}),
        },
        { kind: 'fetch', what: r.aptInstall.join(' ') },
      ],
    });
  }
  const accounts = accountCommands(s);
  if (accounts.length > 0) {
    steps.push({
      fn: 'accounts',
      title: 'users and groups',
      doc: ['Groups, then users (who may name them), with the ids the config fixes, so files owned', 'by them mean the same in every build.'],
      commands: accounts.map((argv): Command => ({ kind: 'chroot', argv })),
    });
  }
  const files = imageFiles(s);
  if (files.length > 0) {
    steps.push({
      fn: 'image_files',
      title: 'files',
      doc: [
        'Files from beside the config, carried in this script and checked against their sha256',
        'before they are written, with their mode and owner (after the users exist).',
      ],
      commands: files.map((f): Command => ({ kind: 'embedded', ...f, why: f.blob.source })),
    });
  }
  if (s.locales.generate.length > 0) steps.push(localesStep(r, preseeded));
  if (zone !== undefined && !preseeded) {
    steps.push({
      fn: 'timezone',
      title: 'timezone',
      doc: ["The image's time zone: the localtime link and debconf agree, so tzdata keeps it."],
      commands: [{ kind: 'chroot', argv: ['debconf-set-selections'], stdin: timezoneSelections(zone) }, ...timezoneFiles(zone), { kind: 'chroot', argv: aptInstall('tzdata') }],
    });
  }
  const afterPackages = hookStep(s, 'after-packages');
  if (afterPackages) steps.push(afterPackages);
  const slim = slimStep(s);
  if (slim) steps.push(slim);
  if (r.buildSources !== r.sources) {
    // The build installed from the snapshot; the image's apt reads the regular mirror.
    const imageValidity = validityAptFile(r, false);
    const removeValidity = buildValidity !== null && imageValidity === null ? buildValidity.path : null;
    steps.push({
      fn: 'image_sources',
      title: 'image apt sources',
      doc: [
        "The build installed from the snapshot; the image's apt reads the regular mirror, so",
        "a container's apt-get update gets today's fixes. (apt.keepSnapshot keeps the snapshot.)",
      ],
      commands: [
        ...sourcesWrites(r, 'sources'),
        ...(removeValidity
          ? [{ kind: 'remove', paths: [removeValidity], recursive: false, why: "The regular mirror's Release files are fresh: apt checks their Valid-Until again." } as const]
          : []),
      ],
    });
  }
  if (s.clean) {
    steps.push({
      fn: 'apt_clean',
      title: 'apt clean',
      doc: [
        "Empty apt's package cache and lists: the image does not need the .debs it was built",
        'from, and derived images run apt-get update before they install, as careful Dockerfiles do.',
        'apt-get clean removes only the binary caches apt is configured to keep, and the no-cache',
        'tweak configures none: those the bootstrap\'s apt wrote before it (mmdebstrap) go by name.',
      ],
      commands: [
        { kind: 'chroot', argv: ['apt-get', 'clean'] },
        { kind: 'remove', paths: ['/var/cache/apt/pkgcache.bin', '/var/cache/apt/srcpkgcache.bin'], recursive: false },
        { kind: 'check-lists', why: 'The lists as the last apt-get update left them, before they go.' },
        { kind: 'remove', paths: ['/var/lib/apt/lists/*'], recursive: true },
      ],
    });
  }
  const beforePack = hookStep(s, 'before-pack');
  if (beforePack) steps.push(beforePack);
  steps.push(finalizeStep(r));
  return { sources: before, rest: steps };
}

/** The files of the build and of this host that no image keeps: logs, caches, machine ids. */
export const BUILD_LEFTOVERS = [
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

function finalizeStep(r: Resolved): StepSpec {
  const undo = undoCommands(r);
  const clearTmp = r.settings.backend !== 'mmdebstrap';
  return {
    fn: 'finalize',
    title: 'finalize',
    doc: [
      "Leave nothing of this build or this host in the image: debootstrap copied the host's",
      'resolv.conf and hostname (a container gets its own), logs and caches record the build,',
      'and a machine-id must be made by each machine, not shared by every container.',
    ],
    commands: [
      { kind: 'check-lists', why: 'Lists the image keeps (clean: false) are the ones the build read last.' },
      // --undo-tweaks: the seed's undo, for images that run services (derived images with undoTweaks run the same commands).
      ...undo.map((argv, i): Command => ({
        kind: 'chroot',
        argv,
        when: { undoTweaks: true },
        ...(i === 0 ? { why: 'With --undo-tweaks, the Docker tweaks go back out: init scripts may start daemons again, dpkg syncs, apt keeps what it downloads.' } : {}),
      })),
      { kind: 'write', path: '/etc/resolv.conf', mode: '0644', content: '' },
      { kind: 'write', path: '/etc/hostname', mode: '0644', content: '' },
      { kind: 'write', path: '/etc/machine-id', mode: '0444', content: '', when: { exists: '/etc/machine-id' } },
      {
        kind: 'empty',
        dirs: clearTmp ? ['/run', '/tmp'] : ['/run'],
        ...(clearTmp ? {} : { why: 'mmdebstrap empties /tmp itself once it is done with it (its apt configuration lives there in mode unshare and for foreign architectures).' }),
      },
      { kind: 'remove', paths: BUILD_LEFTOVERS, recursive: false, why: 'The patterns match in the rootfs, not here.' },
    ],
  };
}

function tweakSteps(r: Resolved): { write: StepSpec[]; apt: StepSpec[]; divert: StepSpec[] } {
  const files = tweakFiles(r);
  // mmdebstrap: dpkg's and invoke-rc.d's tweaks before it installs anything; apt's own
  // (no-cache, gzipped lists, ...) only once it is done, so its apt run neither
  // decompresses lists nor deletes the .debs a package cache keeps.
  const deferred = r.settings.backend === 'mmdebstrap' ? files.filter((f) => f.path.startsWith('/etc/apt/')) : [];
  const now = files.filter((f) => !deferred.includes(f));
  return {
    write:
      now.length > 0
        ? [
            {
              fn: 'write_tweaks',
              title: 'docker tweaks',
              doc: [
                'The Docker tweaks: without them package scripts try to start services, dpkg syncs',
                'after every file, and every layer keeps the .debs it downloaded.',
              ],
              commands: now.map((f) => write(f)),
            },
          ]
        : [],
    apt:
      deferred.length > 0
        ? [
            {
              fn: 'apt_tweaks',
              title: 'apt tweaks',
              doc: [
                "apt's Docker tweaks, written once mmdebstrap has installed everything: its apt run",
                'reads plain lists and keeps the .debs it downloaded (a package cache may collect them).',
              ],
              commands: deferred.map((f) => write(f)),
            },
          ]
        : [],
    divert: r.divertInitctl
      ? [
          {
            fn: 'divert_initctl',
            title: 'divert initctl',
            doc: [
              "upstart's initctl talks to an init that does not run in a container: divert the real",
              'one aside, so upgrades do not bring it back, and put a no-op in its place.',
            ],
            commands: [
              { kind: 'chroot', argv: ['dpkg-divert', '--local', '--rename', '--add', INITCTL] },
              { kind: 'link', target: '/bin/true', path: INITCTL },
            ],
          },
        ]
      : [],
  };
}

/** A step at its place: its stage, its progress label, the template that defines it and its ledger part. */
export function placed(spec: StepSpec, stage: Stage, label: string): StepPlan {
  const perArch = stage === 'main' && spec.once !== true;
  const { fn, title } = spec;
  if ('commands' in spec) {
    const commands = spec.commands;
    // A command list hands nothing on: its commands read settings and the architecture's values only.
    const globals: StepGlobals = { reads: [], sets: [] };
    return { fn, title, stage, label, template: 'steps/commands', perArch, data: commandStep(fn, spec.doc, commands), commands, ledger: (out) => commandLedger(commands, out), globals };
  }
  return { fn, title, stage, label, template: `steps/${spec.template}`, perArch, data: spec.data, commands: null, ledger: spec.ledger, globals: spec.globals };
}

export function numbered(specs: StepSpec[]): StepPlan[] {
  return specs.map((spec, i) => placed(spec, 'main', `${i + 1}/${specs.length}`));
}

const call = ({ fn, title, label }: StepPlan): StepCall => ({ fn, title, label });

/**
 * Every step in the order it runs. The debootstrap backend runs them all itself; the
 * mmdebstrap backend runs three, and mmdebstrap runs the chroot work at its hooks,
 * which the list places where they run: inside the build, before the import.
 */
export function planSteps(r: Resolved, importChanges: string[][] | null, oci: object | null): StepPlan[] {
  const s = r.settings;
  const releaseDate = [releaseDateStep(r)];
  // Each architecture's tarball is published with its records, before the next one is built.
  const publish = publishSteps(r);
  // publish.repository: push, sign and attest the OCI layout (./publish.ts).
  const imported = [...importSteps(r, importChanges, oci), ...pushStep(r, oci as OciPlan | null)];
  // A profile's image is assembled from an mmdebstrap build, not made by one.
  if (r.profile) return numbered([...releaseDate, ...minimalSteps(r), ...publish, ...imported]);
  const tweaks = tweakSteps(r);
  const { sources, rest } = rootfsWork(r);
  const bootstrapHook = hookStep(s, 'after-bootstrap');
  const afterBootstrap: StepSpec[] = bootstrapHook ? [bootstrapHook] : [];

  if (s.backend === 'mmdebstrap') {
    const ldCache: StepSpec = {
      fn: 'ld_cache',
      title: 'ld.so.cache',
      doc: [
        "mmdebstrap's eatmydata hook put libeatmydata beside the system libraries while dpkg",
        'ran, so the cache ldconfig wrote then names it; the hook has removed it again before',
        'this stage. Write the cache anew: the same bytes as a build without the hook.',
      ],
      commands: [{ kind: 'chroot', argv: ['ldconfig'] }],
    };
    const hooks = [
      ...tweaks.write.map((spec) => placed(spec, 'setup', 'hook setup')),
      ...[...tweaks.divert, ...preseedStep(r), ...afterBootstrap].map((spec) => placed(spec, 'essential', 'hook essential')),
      ...[...(usesEatmydata(r) ? [ldCache] : []), ...tweaks.apt, ...sources, ...rest].map((spec) => placed(spec, 'customize', 'hook customize')),
    ];
    const stages = Object.fromEntries(HOOK_STAGES.map((stage) => [stage, hooks.filter((h) => h.stage === stage).map(call)]));
    const main = numbered([...releaseDate, buildStep(r, stages, included(r)), ...publish, ...imported]);
    const after = main.findIndex((step) => step.fn === 'mmdebstrap_build') + 1;
    return [...main.slice(0, after), ...hooks, ...main.slice(after)];
  }
  const needsUpdate = debootstrapUpdates(r);
  const upgrade: StepSpec = {
    fn: 'apt_upgrade',
    title: s.upgrade ? 'update and dist-upgrade' : 'update',
    doc: [`Read the new sources${s.upgrade ? ', then bring every package up to the latest security and point release' : ''}.`],
    commands: [
      { kind: 'chroot', argv: ['apt-get', 'update'] },
      ...fetchSources(r),
      { kind: 'check-lists' },
      ...(s.upgrade ? [{ kind: 'chroot', argv: ['apt-get', ...APT_OPTIONS, 'dist-upgrade'] } as const] : []),
    ],
  };
  return numbered([
    ...releaseDate,
    buildStep(r, null, included(r)),
    ...tweaks.write,
    ...tweaks.divert,
    ...afterBootstrap,
    ...sources,
    ...(needsUpdate ? [upgrade] : []),
    ...rest,
    tarballStep(r),
    ...publish,
    ...imported,
  ]);
}
