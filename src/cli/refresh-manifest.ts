// `mkimage-gen refresh-manifest <built> <expected>`: take a build's package manifest as
// the new expected one (the file a config's `expect:` or the script's --expect names),
// after checking it, and say what changed.
import { readBuiltManifest, readExpected, writeAtomically } from '../io/manifest-file.js';
import { manifestChanges, parseManifest } from '../manifest.js';
import { ConfigError } from '../model/errors.js';

/** Check `built` and put it in place of `expected`; say what changed. */
export function refreshManifest(argv: { built: string; expected: string }): void {
  const text = readBuiltManifest(argv.built);
  const parsed = parseManifest(text);
  if ('problem' in parsed) throw new ConfigError(argv.built, [`not a package manifest: ${parsed.problem}`]);
  const old = readExpected(argv.expected);
  const before = old === undefined ? undefined : parseManifest(old);
  writeAtomically(argv.expected, text);
  if (before === undefined || 'problem' in before) {
    console.log(`wrote ${argv.expected}: ${parsed.lines.length} packages`);
    return;
  }
  const changes = manifestChanges(before.lines, parsed.lines);
  console.log(changes.length === 0 ? `${argv.expected} is up to date` : [`updated ${argv.expected}:`, ...changes.map((c) => `  ${c}`)].join('\n'));
}
