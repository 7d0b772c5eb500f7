// The runtime: the part of every generated script that no config changes (options,
// checks, the helpers every step goes through). A reviewer approves it once by its
// sha256 and then reads only what differs. It is a list of parts, each a partial under
// templates/partials/ that begins with `# ---- <name>: ...` and ends with
// `# ---- end of <name> ----`; the header lists each part's sha256, and `explain`
// checks a script's parts against them and against another script's.
import { createHash } from 'node:crypto';
import { renderPartialAlone } from './engine.js';

/** The parts in the order the script holds them; each name is its partial's. */
export const RUNTIME_PARTS: readonly string[] = ['state', 'options', 'commands', 'rootfs', 'checks', 'preflight', 'work-dir', 'json', 'publish', 'result-cache', 'buildkit'];

export interface RuntimePart {
  name: string;
  /** sha256 of the part's text as the script holds it, from its first marker line through its last. */
  sha256: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The lines from `# ---- <name>:` through `# ---- end of <name> ----`, as `sed -n '/start/,/end/p'` prints them. */
export function partMarkers(name: string): { start: string; end: string } {
  return { start: `# ---- ${name}: `, end: `# ---- end of ${name} ----` };
}

let parts: RuntimePart[] | undefined;

/** Each part with its sha256: rendered with no data, so no config can change a byte of it. */
export function runtimeParts(): RuntimePart[] {
  parts ??= RUNTIME_PARTS.map((name) => ({ name, sha256: sha256(renderPartialAlone(name)) }));
  return parts;
}

/** A part as a script holds it: the header's claim and the sha256 of the text between its markers. */
export interface FoundPart {
  name: string;
  /** What the script's header says, or null where it names no such part. */
  claimed: string | null;
  /** The sha256 of its text, or null where the script has no such part. */
  actual: string | null;
}

/** A header line that names a part: `#   <name> sha256:<hex>`. */
const CLAIM = /^#   ([a-z][a-z0-9-]*) sha256:([0-9a-f]{64})$/;

/** The runtime parts of a script's text: every part its header names, and ours, in that order. */
export function partsIn(script: string): FoundPart[] {
  const lines = script.split('\n');
  const claims = new Map<string, string>();
  for (const line of lines) {
    const claim = CLAIM.exec(line);
    if (claim) claims.set(claim[1]!, claim[2]!);
    if (line.startsWith('set -')) break;
  }
  const names = [...new Set([...claims.keys(), ...RUNTIME_PARTS])];
  return names.map((name) => {
    const { start, end } = partMarkers(name);
    const from = lines.findIndex((line) => line.startsWith(start));
    const to = from < 0 ? -1 : lines.indexOf(end, from);
    return {
      name,
      claimed: claims.get(name) ?? null,
      actual: to < 0 ? null : sha256(`${lines.slice(from, to + 1).join('\n')}\n`),
    };
  });
}
