// The steps of the generated script, as data: which shell functions run, in which
// order, at which stage, each with the values its template needs. This list is the
// only place that says so; the script defines the functions in this order and calls
// them from it. Adding a step: one template in templates/steps/, one entry here.
import { localeCharset } from '../model/formats.js';
import { supportedLine } from '../releases/locales.js';
import type { Resolved } from './resolve.js';
import { accountCommands, caCertificateFiles, hookStep, imageFiles, repositoriesStep } from './additions.js';
import { OCI } from './dockerfiles.js';
import { planSlim } from './slim.js';
import { ONE_LINE_SOURCES, sourcesFile } from './sources.js';
import { INITCTL, tweakFiles, undoCommands, validityAptFile } from './tweaks.js';

/**
 * main: the script runs it itself. setup, essential, customize: mmdebstrap calls the
 * script back at that hook stage, with its rootfs.
 */
export type Stage = 'main' | 'setup' | 'essential' | 'customize';
export const HOOK_STAGES = ['setup', 'essential', 'customize'] as const;

/** One step: the shell function `fn`, defined by templates/steps/<fn>.hbs from `data`. */
export interface StepPlan {
  fn: string;
  title: string;
  stage: Stage;
  /** The progress line's label: `3/9` for the script's own steps, `hook customize` inside mmdebstrap. */
  label: string;
  /** The template that defines the function, relative to templates/. */
  template: string;
  data: object;
}

interface StepSpec {
  fn: string;
  title: string;
  data?: object;
  /** The template under templates/steps/, where it is not named after fn (the hook steps share one). */
  template?: string;
}

/** A step's call: what `main` or a hook stage runs. */
export type StepCall = Pick<StepPlan, 'fn' | 'title' | 'label'>;

/** debconf names a locale by its line in glibc's SUPPORTED list: `ja_JP.UTF-8 UTF-8`, `en_US ISO-8859-1`. */
const localeGenEntry = (locale: string) => supportedLine(locale) ?? `${locale} ${localeCharset(locale)}`;
const lines = (items: string[]) => items.map((line) => `${line}\n`).join('');

/** The chroot work both backends do, in the same order, so both give the same image. */
function rootfsWork(r: Resolved): { sources: StepSpec[]; rest: StepSpec[] } {
  const s = r.settings;
  const locales = [...s.locales.generate].sort();
  const zone = s.timezone;
  const slim = planSlim(s);
  const buildValidity = validityAptFile(r, true);
  const sources: StepSpec = {
    fn: 'apt_sources',
    title: 'apt sources',
    data: {
      file: sourcesFile(r, r.buildSources),
      replaces: r.sourcesFormat === 'deb822' ? ONE_LINE_SOURCES : null,
      validity: buildValidity,
      snapshot: r.snapshot?.timestamp ?? null,
    },
  };
  const certificates = caCertificateFiles(s);
  const repositories = repositoriesStep(r);
  const before: StepSpec[] = [
    // First, so apt already trusts the company CA when it reads an https repository.
    ...(certificates.length > 0 ? [{ fn: 'ca_certificates', title: 'CA certificates', data: { certificates } }] : []),
    sources,
    ...(repositories ? [{ fn: 'apt_repositories', title: 'extra repositories and pins', data: repositories }] : []),
  ];
  const steps: StepSpec[] = [];
  if (r.aptInstall.length > 0) {
    steps.push({
      fn: 'install_packages',
      title: 'install packages',
      data: {
        packages: r.aptInstall,
        // mmdebstrap's package lists predate the extra repositories; debootstrap's update step runs after them.
        update: s.backend === 'mmdebstrap' && r.repositories.length > 0,
        downgrades: r.aptInstall.some((p) => p.includes('=')),
      },
    });
  }
  const accounts = accountCommands(s);
  if (accounts.length > 0) steps.push({ fn: 'accounts', title: 'users and groups', data: { commands: accounts } });
  const files = imageFiles(s);
  if (files.length > 0) steps.push({ fn: 'image_files', title: 'files', data: { files } });
  if (locales.length > 0) {
    steps.push({
      fn: 'locales',
      title: 'locales',
      data: {
        debconf: r.distro.localeMethod === 'debconf',
        selections: lines([
          `locales locales/locales_to_be_generated multiselect ${locales.map(localeGenEntry).join(', ')}`,
          `locales locales/default_environment_locale select ${s.locales.default ?? 'None'}`,
        ]),
        setDefault: s.locales.default !== undefined,
      },
    });
  }
  if (zone !== undefined) {
    // tzdata files single names (UTC) under its area Etc.
    const [area, ...city] = zone.includes('/') ? zone.split('/') : ['Etc', zone];
    steps.push({
      fn: 'timezone',
      title: 'timezone',
      data: {
        selections: lines([
          `tzdata tzdata/Areas select ${area}`,
          ...(city.length > 0 ? [`tzdata tzdata/Zones/${area} select ${city.join('/')}`] : []),
        ]),
      },
    });
  }
  const afterPackages = hookStep(s, 'after-packages');
  if (afterPackages) steps.push({ ...afterPackages, template: 'run_hooks' });
  if (slim) steps.push({ fn: 'slim', title: 'slim', data: slim });
  if (r.buildSources !== r.sources) {
    // The build installed from the snapshot; the image's apt reads the regular mirror.
    const imageValidity = validityAptFile(r, false);
    steps.push({
      fn: 'image_sources',
      title: 'image apt sources',
      data: { file: sourcesFile(r), removeValidity: buildValidity !== null && imageValidity === null ? buildValidity.path : null },
    });
  }
  if (s.clean) steps.push({ fn: 'apt_clean', title: 'apt clean' });
  const beforePack = hookStep(s, 'before-pack');
  if (beforePack) steps.push({ ...beforePack, template: 'run_hooks' });
  steps.push({ fn: 'finalize', title: 'finalize', data: { undo: undoCommands(r) } });
  steps.push({ fn: 'package_list', title: 'package list' });
  return { sources: before, rest: steps };
}

function tweakSteps(r: Resolved): { write: StepSpec[]; divert: StepSpec[] } {
  const files = tweakFiles(r);
  return {
    write: files.length > 0 ? [{ fn: 'write_tweaks', title: 'docker tweaks', data: { files } }] : [],
    divert: r.divertInitctl ? [{ fn: 'divert_initctl', title: 'divert initctl', data: { path: INITCTL, target: '/bin/true' } }] : [],
  };
}

function placed(spec: StepSpec, stage: Stage, label: string): StepPlan {
  return { fn: spec.fn, title: spec.title, stage, label, template: `steps/${spec.template ?? spec.fn}`, data: spec.data ?? {} };
}

function numbered(specs: StepSpec[]): StepPlan[] {
  return specs.map((spec, i) => placed(spec, 'main', `${i + 1}/${specs.length}`));
}

const call = ({ fn, title, label }: StepPlan): StepCall => ({ fn, title, label });

/**
 * Every step in the order it runs. The debootstrap backend runs them all itself; the
 * mmdebstrap backend runs three, and mmdebstrap runs the chroot work at its hooks,
 * which the list places where they run: inside the build, before the import.
 */
export function planSteps(r: Resolved, importChanges: string[] | null): StepPlan[] {
  const s = r.settings;
  // The Release files are always read: the build record lists their dates and checksums.
  const epochFromRelease = s.reproducible && r.epoch === null;
  const releaseDate: StepSpec[] = [
    { fn: 'release_date', title: epochFromRelease ? 'release files (SOURCE_DATE_EPOCH)' : 'release files', data: { epochFromRelease } },
  ];
  const publish: StepSpec[] = [
    { fn: 'records', title: 'manifest, SBOMs, build record, provenance', data: {} },
    { fn: 'publish', title: 'publish' },
  ];
  const imported: StepSpec[] =
    importChanges === null
      ? []
      : [{ fn: 'import_image', title: `${s.output.import} import`, data: { changes: importChanges, createdLabel: `${OCI}.created`, versionLabel: `${OCI}.version` } }];
  const tweaks = tweakSteps(r);
  const { sources, rest } = rootfsWork(r);
  const bootstrapHook = hookStep(s, 'after-bootstrap');
  const afterBootstrap: StepSpec[] = bootstrapHook ? [{ ...bootstrapHook, template: 'run_hooks' }] : [];

  if (s.backend === 'mmdebstrap') {
    const hooks = [
      ...tweaks.write.map((spec) => placed(spec, 'setup', 'hook setup')),
      ...[...tweaks.divert, ...afterBootstrap].map((spec) => placed(spec, 'essential', 'hook essential')),
      ...[...sources, ...rest].map((spec) => placed(spec, 'customize', 'hook customize')),
    ];
    const stages = Object.fromEntries(HOOK_STAGES.map((stage) => [stage, hooks.filter((h) => h.stage === stage).map(call)]));
    const build: StepSpec = {
      fn: 'mmdebstrap_build',
      title: `mmdebstrap ${s.suite}`,
      data: { keepAptCache: !s.clean, keepPolicyRcD: s.tweaks.policyRcD, noValidUntil: r.noValidUntil.build, stages },
    };
    const main = numbered([...releaseDate, build, ...publish, ...imported]);
    const after = main.findIndex((step) => step.fn === 'mmdebstrap_build') + 1;
    return [...main.slice(0, after), ...hooks, ...main.slice(after)];
  }
  const needsUpdate = s.upgrade || s.locales.generate.length > 0 || s.timezone !== undefined || r.aptInstall.length > 0;
  return numbered([
    ...releaseDate,
    { fn: 'bootstrap', title: `debootstrap ${s.suite}` },
    ...tweaks.write,
    ...tweaks.divert,
    ...afterBootstrap,
    ...sources,
    ...(needsUpdate ? [{ fn: 'apt_upgrade', title: s.upgrade ? 'update and dist-upgrade' : 'update', data: { upgrade: s.upgrade } }] : []),
    ...rest,
    { fn: 'tarball', title: 'tarball', data: { reproducible: s.reproducible } },
    ...publish,
    ...imported,
  ]);
}
