// The apt sources the image ends up with: the suite, -updates and -security, from
// the chosen mirror, in the format the release itself writes.
import type { AptSource, Resolved } from './resolve.js';

export interface ImageFile {
  path: string;
  mode: string;
  content: string;
  why: string;
}

/** The one-line list the bootstrap writes; deb822 sources replace it. */
export const ONE_LINE_SOURCES = '/etc/apt/sources.list';

/** A source as one `deb` line: the image's one-line sources, and what mmdebstrap reads. */
export function sourceLine(s: AptSource): string {
  return `deb ${s.uri} ${s.suite} ${s.components.join(' ')}`;
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

/** The apt sources file of one architecture's image (default: the first one's), or, given its build sources, of its build. */
export function sourcesFile(r: Resolved, sources: AptSource[] = r.sources): ImageFile {
  if (r.sourcesFormat === 'deb822') {
    return {
      path: `/etc/apt/sources.list.d/${r.distro.deb822File}`,
      mode: '0644',
      content: deb822(sources, r.distro.imageKeyring),
      why: 'deb822 sources, the format this release writes itself',
    };
  }
  return {
    path: ONE_LINE_SOURCES,
    mode: '0644',
    content: sources.map((s) => `${sourceLine(s)}\n`).join(''),
    why: 'one-line sources, the format this release writes itself',
  };
}
