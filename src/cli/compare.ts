// explain --compare: the other script whose runtime parts a reviewer compares with the
// explained one's. A generated script file is read as it is (its header's claims and its
// text both count); a preset or config is rendered now, as generate would write it.
import { resolve } from 'node:path';
import { inspect, readRegularFile, refusalText } from '../io/regular-file.js';
import { SCRIPT_FILE } from '../layout.js';
import { ConfigError } from '../model/errors.js';
import { partsIn } from '../render/runtime.js';
import type { Comparison } from './explain.js';

/** A script with every file it embeds stays far below this. */
const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

export async function loadComparison(given: string, cwd: string): Promise<Comparison> {
  const path = resolve(cwd, given);
  const stat = inspect(path, true);
  if (stat?.isFile()) {
    const read = readRegularFile(path, { maxBytes: MAX_SCRIPT_BYTES, follow: true });
    if (!read.ok) throw new ConfigError('--compare', [`${given}: ${refusalText(read.refused, 'a script')}`]);
    const text = read.bytes.toString('utf8');
    if (text.startsWith('#!')) return { shown: given, parts: partsIn(text) };
  } else if (stat !== undefined && !stat.isFile()) {
    throw new ConfigError('--compare', [`${given} is not a file: name a generated mkimage.sh, a config file or a preset`]);
  }
  const { loadOne } = await import('./entries.js');
  const { planImage, renderImage } = await import('../generate.js');
  const script = renderImage(planImage(loadOne(given, [], cwd))).find((f) => f.path === SCRIPT_FILE)!;
  return { shown: given, parts: partsIn(script.content) };
}
