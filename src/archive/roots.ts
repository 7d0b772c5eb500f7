// What a config's build installs by itself, whatever the image held before: the
// variant's packages (chosen by the bootstrap from the release's own suite, by
// Priority), the packages the config names, and those its steps install.
import type { Resolved } from '../plan/resolve.js';
import type { PackageVersion } from './packages.js';
import type { Roots } from './rebuild.js';

/**
 * debootstrap and mmdebstrap: minbase = Essential and Priority required, and apt;
 * buildd adds build-essential; the default variant adds Priority important.
 */
function variantPackages(variant: string, main: readonly PackageVersion[]): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const p of main) {
    if (p.essential || p.priority === 'required') wanted.set(p.name, `the ${variant} variant installs Priority: ${p.priority}${p.essential ? ' (Essential)' : ''} packages`);
    else if (variant === 'default' && p.priority === 'important') wanted.set(p.name, 'the default variant installs Priority: important packages');
  }
  wanted.set('apt', `the ${variant} variant installs apt`);
  // Where the release has it, debootstrap merges /usr itself and installs usr-is-merged,
  // which answers init-system-helpers' "usrmerge | usr-is-merged".
  if (main.some((p) => p.name === 'usr-is-merged')) wanted.set('usr-is-merged', 'the bootstrap merges /usr and installs usr-is-merged');
  if (variant === 'buildd') wanted.set('build-essential', 'the buildd variant installs build-essential');
  return wanted;
}

const nameOf = (spec: string) => spec.split('=')[0]!.split(':')[0]!;

/** The roots of one architecture's build; `main` is the package list of the release's own suite on its mirror. */
export function buildRoots(r: Resolved, main: readonly PackageVersion[], mainSource: string): Roots {
  const s = r.settings;
  const excluded = new Set(s.exclude.map(nameOf));
  const wanted = variantPackages(s.variant, main);
  for (const name of excluded) wanted.delete(name);
  const bootstrap = new Set(wanted.keys());
  for (const spec of r.include) {
    wanted.set(nameOf(spec), 'the config includes it');
    bootstrap.add(nameOf(spec));
  }
  for (const spec of r.aptInstall) wanted.set(nameOf(spec), 'the config installs it');
  if (s.locales.generate.length > 0) wanted.set('locales', 'the config generates locales');
  if (s.timezone !== undefined) wanted.set('tzdata', 'the config sets a time zone');
  const pins = new Map(
    [...s.include, ...r.aptInstall]
      .filter((spec) => spec.includes('='))
      .map((spec) => [nameOf(spec), spec.slice(spec.indexOf('=') + 1)] as const),
  );
  return { wanted, pins, bootstrap, mainSource };
}
