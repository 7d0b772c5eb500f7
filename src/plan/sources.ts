// The apt sources the image ends up with: the suite, -updates and -security, from
// the chosen mirror, in the format the release itself writes.
import type { Resolved } from './resolve.js';

export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
}

export interface ImageFile {
  path: string;
  mode: string;
  content: string;
  why: string;
}

export function aptSources(r: Resolved): AptSource[] {
  const { suite, mirror, components } = r.settings;
  const sources: AptSource[] = [{ uri: mirror, suite, components }];
  if (r.updates) sources.push({ uri: mirror, suite: `${suite}-updates`, components });
  if (r.securityMirror !== null) {
    const securitySuite = r.release.security === 'slash-updates' ? `${suite}/updates` : `${suite}-security`;
    sources.push({ uri: r.securityMirror, suite: securitySuite, components });
  }
  return sources;
}

function oneLine(sources: AptSource[]): string {
  return sources.map((s) => `deb ${s.uri} ${s.suite} ${s.components.join(' ')}\n`).join('');
}

/** deb822 groups suites that share a URI and components into one stanza, as the installers do. */
function deb822(sources: AptSource[], keyring: string): string {
  const stanzas: { uri: string; suites: string[]; components: string[] }[] = [];
  for (const s of sources) {
    const same = stanzas.find((st) => st.uri === s.uri && st.components.join(' ') === s.components.join(' '));
    if (same) same.suites.push(s.suite);
    else stanzas.push({ uri: s.uri, suites: [s.suite], components: s.components });
  }
  return stanzas
    .map(
      (st) =>
        `Types: deb\nURIs: ${st.uri}\nSuites: ${st.suites.join(' ')}\nComponents: ${st.components.join(' ')}\nSigned-By: ${keyring}\n`,
    )
    .join('\n');
}

export function sourcesFile(r: Resolved): ImageFile {
  const sources = aptSources(r);
  if (r.sourcesFormat === 'deb822') {
    return {
      path: `/etc/apt/sources.list.d/${r.distro.deb822File}`,
      mode: '0644',
      content: deb822(sources, r.distro.imageKeyring),
      why: 'deb822 sources, the format this release writes itself',
    };
  }
  return {
    path: '/etc/apt/sources.list',
    mode: '0644',
    content: oneLine(sources),
    why: 'one-line sources, the format this release writes itself',
  };
}
