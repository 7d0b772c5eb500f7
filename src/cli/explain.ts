// explain: an image's plan in plain words. Every fact comes from the plan the files are
// rendered from; every command comes once, from the root ledger, which the steps' own
// command lists make and a test proves equal, line by line, to the script's --dry-run.
// The JSON form holds every fact the text shows, and the dry run's lines as `commands`.
import { publishLines } from '../publish/explain.js';
import { blob } from '../plan/blob.js';
import type { ImagePlan } from '../generate.js';
import type { OutputFile } from '../layout.js';
import { configGroup } from '../layout.js';
import { configDigest } from '../plan/config-digest.js';
import { ledgerText, rootLedger } from '../plan/ledger.js';
import { accountCommands, caCertificateFiles, HOOK_STAGE_WORDS, imageFiles, preferencesFile } from '../plan/additions.js';
import { baseImageConfig, buildTagParts } from '../plan/dockerfiles.js';
import { buildkitLedger, buildkitUnsupported } from '../plan/buildkit.js';
import type { FoundPart, RuntimePart } from '../render/runtime.js';

const section = (title: string, rows: string[]) => (rows.length === 0 ? [] : [title, ...rows.map((row) => `  ${row}`), '']);

/** Another script to compare the runtime with: how the user named it, and its parts. */
export interface Comparison {
  shown: string;
  parts: FoundPart[];
}

/** Where SOURCE_DATE_EPOCH comes from: the config, the snapshot's moment, or the build (the newest Release date). */
function sourceDateEpoch(plan: ImagePlan): { value: number | null; from: 'sourceDateEpoch' | 'snapshot' | 'release-files' } {
  const r = plan.resolved;
  if (r.settings.sourceDateEpoch !== undefined) return { value: r.settings.sourceDateEpoch, from: 'sourceDateEpoch' };
  if (r.snapshot) return { value: r.snapshot.epoch, from: 'snapshot' };
  return { value: null, from: 'release-files' };
}

function epochText(plan: ImagePlan): string {
  const { value, from } = sourceDateEpoch(plan);
  if (from === 'snapshot') return `SOURCE_DATE_EPOCH ${value}, the snapshot's moment ${plan.resolved.snapshot!.timestamp}`;
  if (from === 'sourceDateEpoch') return `SOURCE_DATE_EPOCH ${value}`;
  return 'SOURCE_DATE_EPOCH from the newest Release date';
}

/** The build-time tags, as placeholders: `local/x:<version read from the rootfs>`. */
function buildTags(plan: ImagePlan): { fact: string; tag: string }[] {
  const r = plan.resolved;
  const words = { date: 'YYYYMMDD of SOURCE_DATE_EPOCH', major: 'major version', version: 'version read from the rootfs' } as const;
  return buildTagParts(r).map((p) => ({ fact: p.fact, tag: `${r.settings.name}:${p.prefix}<${words[p.fact]}>` }));
}

/** One part of the runtime against another script's: the same, missing there, edited there or different. */
function partVerdict(ours: RuntimePart, theirs: FoundPart | undefined): { same: boolean; text: string } {
  const sha = (hex: string) => `sha256:${hex}`;
  if (!theirs || (theirs.actual === null && theirs.claimed === null)) return { same: false, text: 'not in that script' };
  if (theirs.actual === null) return { same: false, text: `its header names ${sha(theirs.claimed!)}, but its text has no such part` };
  if (theirs.claimed !== null && theirs.claimed !== theirs.actual) {
    return { same: false, text: `edited there: its header says ${sha(theirs.claimed)}, its text is ${sha(theirs.actual)}` };
  }
  if (theirs.actual === ours.sha256) return { same: true, text: `the same (${sha(ours.sha256)})` };
  return { same: false, text: `differs: ${sha(theirs.actual)} there: review the difference` };
}

function comparisonJson(runtime: RuntimePart[], other: Comparison) {
  const find = (name: string) => other.parts.find((p) => p.name === name);
  const ours = new Set(runtime.map((p) => p.name));
  return {
    with: other.shown,
    same: runtime.every((p) => partVerdict(p, find(p.name)).same) && other.parts.every((p) => ours.has(p.name)),
    parts: [
      ...runtime.map((p) => ({ name: p.name, sha256: p.sha256, claimed: find(p.name)?.claimed ?? null, actual: find(p.name)?.actual ?? null, same: partVerdict(p, find(p.name)).same })),
      ...other.parts.filter((p) => !ours.has(p.name)).map((p) => ({ name: p.name, sha256: null, claimed: p.claimed, actual: p.actual, same: false })),
    ],
  };
}

function runtimeText(runtime: RuntimePart[], other: Comparison | undefined): string[] {
  const rows = runtime.map((p) => `${p.name} sha256:${p.sha256}`);
  const lines = section('Runtime, the same in every script this mkimage-gen writes (approve each part once by its sha256):', rows);
  if (!other) return lines;
  const ours = new Set(runtime.map((p) => p.name));
  const verdicts = [
    ...runtime.map((p) => `${p.name}: ${partVerdict(p, other.parts.find((q) => q.name === p.name)).text}`),
    ...other.parts.filter((p) => !ours.has(p.name)).map((p) => `${p.name}: only in that script`),
  ];
  const same = comparisonJson(runtime, other).same;
  return [...lines, ...section(`Compared with ${other.shown}: ${same ? 'the same runtime' : 'the runtime differs'}`, verdicts)];
}

/** What a company adds, as data: repositories and keys, pins, packages, certificates, files, accounts, hooks. */
function additionsJson(plan: ImagePlan) {
  const r = plan.resolved;
  const s = r.settings;
  const preferences = preferencesFile(r);
  return {
    repositories: r.repositories.map((repo, i) => ({
      name: repo.name,
      url: repo.uri,
      suites: repo.suites,
      components: repo.components,
      priority: repo.priority ?? null,
      packages: s.repositories[i]!.packages,
      key: { source: repo.key.source, path: repo.keyring, sha256: repo.key.sha256 },
      fingerprints: repo.fingerprints,
      pinned: s.repositories[i]!.fingerprint !== undefined,
    })),
    aptPreferences: preferences ? { path: preferences.path, content: preferences.content } : null,
    aptInstall: r.aptInstall,
    imageFiles: [
      ...caCertificateFiles(s).map((f) => ({ kind: 'ca-certificate', ...f })),
      ...imageFiles(s).map((f) => ({ kind: 'file', ...f })),
    ].map(({ kind, path, mode, owner, blob: b }) => ({ kind, source: b.source, path, mode, owner, sha256: b.sha256 })),
    groups: s.groups,
    users: s.users,
    accountCommands: accountCommands(s),
    hooks: s.hooks.map((h) => ({ stage: h.stage, script: h.script, on: h.on, sha256: blob(s.embedded, h.script).sha256 })),
  };
}

/** What a company adds: repositories and keys, pins, certificates, files, accounts, hooks. */
function additions(plan: ImagePlan): string[] {
  const r = plan.resolved;
  const s = r.settings;
  const preferences = preferencesFile(r);
  return [
    ...section(
      'Extra repositories (each trusted only with its own key, by Signed-By):',
      r.repositories.flatMap((repo, i) => [
        `${repo.name}: ${repo.uri} ${repo.suites.join(' ')} ${repo.components.join(' ')}${repo.priority === undefined ? '' : `, priority ${repo.priority}`}`,
        `  key ${repo.key.source} -> ${repo.keyring}, fingerprint ${repo.fingerprints.join(', ')}${s.repositories[i]!.fingerprint === undefined ? '' : ' (pinned)'}`,
      ]),
    ),
    ...section('Apt pinning (/etc/apt/preferences.d/mkimage):', preferences ? preferences.content.trimEnd().split('\n') : []),
    ...section('Installed with apt-get after the sources:', r.aptInstall.length > 0 ? [r.aptInstall.join(' ')] : []),
    ...section(
      'Files into the image (embedded, sha256 checked before use):',
      [...caCertificateFiles(s), ...imageFiles(s)].map((f) => `${f.blob.source} -> ${f.path} (${f.mode}, ${f.owner}), sha256 ${f.blob.sha256}`),
    ),
    ...section('Users and groups:', accountCommands(s).map((argv) => argv.join(' '))),
    ...section(
      'Hooks (embedded, sha256 checked before they run):',
      s.hooks.map((h) => `${HOOK_STAGE_WORDS[h.stage]}: ${h.script}, ${h.on === 'rootfs' ? 'inside the rootfs' : 'on the host'}`),
    ),
  ];
}

/** The derived images: what each installs and sets, and the bake target and tags that build it. */
function derivedJson(plan: ImagePlan) {
  return plan.derived.map((d, i) => {
    const image = plan.resolved.settings.derived[i]!;
    const target = plan.bakeTargets.find((t) => t.context === `${plan.id}/${d.folder}`)!;
    return {
      name: image.name,
      folder: `${plan.id}/${d.folder}`,
      from: d.plan.from,
      bakeTarget: target.name,
      tags: target.tags,
      packages: image.packages,
      env: image.env,
      files: d.plan.copies.map((c) => ({ source: c.paths[0], path: c.paths[1], mode: c.mode, owner: c.owner })),
      user: d.plan.user,
      workdir: d.plan.workdir,
      expose: d.plan.expose,
      entrypoint: d.plan.entrypoint,
      cmd: d.plan.cmd,
      labels: d.plan.labels,
      undoTweaks: image.undoTweaks,
    };
  });
}

export function explainText(plan: ImagePlan, files: readonly OutputFile[], runtime: RuntimePart[], other?: Comparison): string {
  const r = plan.resolved;
  const s = r.settings;
  const { release } = r;
  const lines = [
    `${plan.id}: ${r.baseReference}, ${s.distro} ${release.version} (${s.suite}, ${release.status}), ${s.arch.join(' ')}, variant ${s.variant}`,
    `backend: ${s.backend}; reproducible: ${s.reproducible ? `yes (${epochText(plan)})` : 'no'}; slim: ${s.slim ? 'yes' : 'no'}`,
    '',
    'Release facts used:',
    `  security suite: ${r.securitySuite ?? 'none'}   (${release.sources.security})`,
    `  network package: ${release.networkPackage}   (${release.sources.networkPackage})`,
    `  upstart era: ${release.upstart ? 'yes' : 'no'}; initctl diverted: ${r.divertInitctl ? 'yes' : 'no'}   (${release.sources.upstart})`,
    `  apt sources format: ${r.sourcesFormat}   (${release.sources.sourcesFormat})`,
    '',
    'Apt sources in the image:',
    ...r.sources.map((src) => `  ${src.uri} ${src.suite} ${src.components.join(' ')}`),
    '',
    'Steps, in the order they run:',
    ...plan.script.steps.map((step) => `  [${step.label}] ${step.title} (${step.fn})`),
    '',
    ...additions(plan),
    `Tags: ${[...r.staticTags.map((t) => `${s.name}:${t}`), ...buildTags(plan).map((t) => t.tag)].join(', ')}`,
    ...derivedJson(plan).map((d) => `  ${d.name}: ${d.tags.join(', ')}`),
    `Labels: ${baseImageConfig(r).labels.map((l) => `${l.key}=${l.value}`).join(', ')}, and org.opencontainers.image.created and .version from the build`,
    `Bake: group ${configGroup(plan.id)} builds ${plan.bakeTargets.map((t) => t.name).join(', ')}`,
    ...publishLines(plan.script.steps),
    '',
    `Config checksum (sha256 of the validated settings as canonical JSON, as the build record has it): ${configDigest(s)}`,
    '',
    ...runtimeText(runtime, other),
    'Root ledger: what the script does as root, in order (step, kind, command or path):',
    ...ledgerText(rootLedger(plan.script, r)),
    '',
    ...buildkitText(plan),
    'Files generated:',
    ...files.map((f) => `  ${plan.id}/${f.path}`),
    '',
  ];
  return lines.join('\n');
}

/** The same facts for CI tooling; `commands` is the script's --dry-run output. */
export function explainJson(plan: ImagePlan, files: readonly OutputFile[], commands: string, runtime: RuntimePart[], other?: Comparison) {
  const r = plan.resolved;
  const s = r.settings;
  const epoch = sourceDateEpoch(plan);
  const config = baseImageConfig(r);
  return {
    id: plan.id,
    image: r.baseReference,
    distro: s.distro,
    suite: s.suite,
    version: r.release.version,
    status: r.release.status,
    arch: s.arch,
    variant: s.variant,
    backend: s.backend,
    reproducible: s.reproducible,
    sourceDateEpoch: epoch.value,
    sourceDateEpochFrom: epoch.from,
    slim: s.slim,
    release: {
      securitySuite: r.securitySuite,
      networkPackage: r.release.networkPackage,
      upstart: r.release.upstart,
      initctlDiverted: r.divertInitctl,
      sourcesFormat: r.sourcesFormat,
      sources: r.release.sources,
    },
    aptSources: r.sources,
    buildSources: r.builds.map((b) => ({ arch: b.arch, sources: b.buildSources })),
    snapshot: r.snapshot?.timestamp ?? null,
    configSha256: configDigest(s),
    steps: plan.script.steps.map(({ label, title, fn, stage }) => ({ label, title, function: fn, stage })),
    ...additionsJson(plan),
    tags: r.staticTags.map((t) => `${s.name}:${t}`),
    buildTags: buildTags(plan),
    labels: config.labels,
    buildLabels: config.buildLabels.map((l) => l.key),
    derived: derivedJson(plan),
    bake: { group: configGroup(plan.id), targets: plan.bakeTargets.map((t) => t.name) },
    runtime,
    compare: other ? comparisonJson(runtime, other) : null,
    files: files.map((f) => `${plan.id}/${f.path}`),
    commands: commands.split('\n').filter((line) => line !== ''),
    ledger: rootLedger(plan.script, r),
    buildkit: buildkitJson(plan),
  };
}

/** The BuildKit path: its bake names, and what runs where (nothing as root on the host); or why there is none. */
function buildkitJson(plan: ImagePlan) {
  if (!plan.buildkit) return { available: false as const, why: buildkitUnsupported(plan.resolved) };
  const ledger = buildkitLedger(plan.buildkit, plan.script, plan.resolved);
  return {
    available: true as const,
    group: plan.buildkit.group.name,
    targets: plan.buildkit.group.targets,
    builderPackages: plan.buildkit.dockerfile.builder.packages,
    host: ledger.host,
    container: ledger.container,
  };
}

function buildkitText(plan: ImagePlan): string[] {
  const b = buildkitJson(plan);
  if (!b.available) return [`BuildKit path: none: ${b.why}`, ''];
  return [
    `BuildKit path: group ${b.group} builds ${b.targets.join(', ')}, unprivileged (no --privileged, no entitlement)`,
    `  builder image (bake variable MKIMAGE_BUILDER_IMAGE) with: ${b.builderPackages.join(' ')}`,
    '  Root ledger on the host: nothing runs as root there. As you (the docker group, or a remote builder):',
    ...b.host.map((c) => `    ${c}`),
    '  As root of the build container (mkimage.sh --buildkit; no mount, no engine import):',
    ...ledgerText(b.container).map((l) => `  ${l}`),
    '',
  ];
}
