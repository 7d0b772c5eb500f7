// explain: an image's plan in plain words. Every fact comes from the plan the files are
// rendered from; the command list comes from the script itself (its --dry-run), so the
// explanation cannot drift from either.
import type { ImagePlan } from '../generate.js';
import type { OutputFile } from '../layout.js';

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
    `Tags: ${[...r.staticTags, '<release version read from the rootfs>'].map((t) => `${s.name}:${t}`).join(', ')}`,
    '',
    'Files generated:',
    ...files.map((f) => `  ${plan.id}/${f.path}`),
    '',
  ];
  return lines.join('\n');
}
