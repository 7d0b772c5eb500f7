// explain: an image's plan in plain words. Every fact comes from the plan the files are
// rendered from; the command list comes from the script itself (its --dry-run), so the
// explanation cannot drift from either.
import type { ImagePlan } from '../generate.js';
import type { OutputFile } from '../layout.js';
import { configDigest } from '../plan/config-digest.js';
import { ledgerText, rootLedger } from '../plan/ledger.js';
import { accountCommands, caCertificateFiles, HOOK_STAGE_WORDS, imageFiles, preferencesFile } from '../plan/additions.js';
import { baseImageConfig, buildTagParts } from '../plan/dockerfiles.js';

const section = (title: string, rows: string[]) => (rows.length === 0 ? [] : [title, ...rows.map((row) => `  ${row}`), '']);

/** What a company adds: repositories and keys, pins, certificates, files, accounts, hooks. */
function additions(plan: ImagePlan): string[] {
  const r = plan.resolved;
  const s = r.settings;
  const preferences = preferencesFile(r);
  return [
    ...section(
      'Extra repositories (each trusted only with its own key, by Signed-By):',
      r.repositories.flatMap((repo) => [
        `${repo.name}: ${repo.uri} ${repo.suites.join(' ')} ${repo.components.join(' ')}${repo.priority === undefined ? '' : `, priority ${repo.priority}`}`,
        `  key ${repo.key.source} -> ${repo.keyring}, fingerprint ${repo.fingerprints.join(', ')}`,
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

export function explainText(plan: ImagePlan, files: readonly OutputFile[]): string {
  const r = plan.resolved;
  const s = r.settings;
  const { release } = r;
  const lines = [
    `${plan.id}: ${r.baseReference}, ${s.distro} ${release.version} (${s.suite}, ${release.status}), ${s.arch.join(' ')}, variant ${s.variant}`,
    `backend: ${s.backend}; reproducible: ${s.reproducible ? `yes (SOURCE_DATE_EPOCH ${s.sourceDateEpoch ?? 'from the newest Release date'})` : 'no'}; slim: ${s.slim ? 'yes' : 'no'}`,
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
    `Tags: ${[...r.staticTags, ...buildTagParts(r).map((p) => `${p.prefix}<${p.fact === 'date' ? 'YYYYMMDD of SOURCE_DATE_EPOCH' : p.fact === 'major' ? 'major version' : 'version read from the rootfs'}>`)].map((t) => `${s.name}:${t}`).join(', ')}`,
    ...plan.derived.map((d) => `  ${d.plan.labels.find((l) => l.key.endsWith('.title'))?.value}: ${plan.bakeTargets.find((t) => t.context.endsWith(d.folder))?.tags.join(', ')}`),
    `Labels: ${baseImageConfig(r).labels.map((l) => `${l.key}=${l.value}`).join(', ')}, and org.opencontainers.image.created and .version from the build`,
    '',
    `Config checksum (sha256 of the validated settings as canonical JSON, as the build record has it): ${configDigest(s)}`,
    '',
    'Root ledger: what the script does as root, in order (step, kind, command or path):',
    ...ledgerText(rootLedger(plan.script, r)),
    '',
    'Files generated:',
    ...files.map((f) => `  ${plan.id}/${f.path}`),
    '',
  ];
  return lines.join('\n');
}

/** The same facts for CI tooling; `commands` is the script's --dry-run output. */
export function explainJson(plan: ImagePlan, files: readonly OutputFile[], commands: string) {
  const r = plan.resolved;
  const s = r.settings;
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
    sourceDateEpoch: s.sourceDateEpoch ?? null,
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
    tags: r.staticTags.map((t) => `${s.name}:${t}`),
    files: files.map((f) => `${plan.id}/${f.path}`),
    commands: commands.split('\n').filter((line) => line !== ''),
    ledger: rootLedger(plan.script, r),
  };
}
