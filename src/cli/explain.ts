// explain: the plan in plain words; the CLI adds every command the script would run,
// taken from the script itself (its --dry-run), so the explanation cannot drift from it.
import { resolve } from '../plan/resolve.js';
import { aptSources } from '../plan/sources.js';
import type { OutputFile, RenderEntry } from '../render/outputs.js';

export function explainText(entry: RenderEntry, files: readonly OutputFile[]): string {
  const r = resolve(entry.settings);
  const s = entry.settings;
  const lines = [
    `${entry.id}: ${r.baseReference}, ${s.distro} ${r.release.version} (${s.suite}, ${r.release.status}), ${s.arch}, variant ${s.variant}`,
    `backend: ${s.backend}; reproducible: ${s.reproducible ? `yes (SOURCE_DATE_EPOCH ${s.sourceDateEpoch ?? 'from the newest Release date'})` : 'no'}; slim: ${s.slim ? 'yes' : 'no'}`,
    '',
    'Release facts used:',
    `  security suite: ${r.release.security === 'none' ? 'none' : r.release.security === 'slash-updates' ? `${s.suite}/updates` : `${s.suite}-security`}   (${r.release.sources.security})`,
    `  network package: ${r.release.networkPackage}   (${r.release.sources.networkPackage})`,
    `  upstart era: ${r.release.upstart ? 'yes' : 'no'}; initctl diverted: ${r.divertInitctl ? 'yes' : 'no'}   (${r.release.sources.upstart})`,
    `  apt sources format: ${r.sourcesFormat}   (${r.release.sources.sourcesFormat})`,
    '',
    'Apt sources in the image:',
    ...aptSources(r).map((src) => `  ${src.uri} ${src.suite} ${src.components.join(' ')}`),
    '',
    `Tags: ${[...r.staticTags, '<release version read from the rootfs>'].map((t) => `${s.name}:${t}`).join(', ')}`,
    '',
    'Files generated:',
    ...files.map((f) => `  ${entry.id}/${f.path}`),
    '',
  ];
  return lines.join('\n');
}
