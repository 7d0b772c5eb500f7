// Read the files a config names (signing keys, files for the image, CA certificates,
// hooks) from beside the config, into its `embedded` map: the pipeline after this point
// sees only settings, never the disk. A path may not leave the config's folder, not even
// through a symlink, and each is a regular file of at most MAX_EMBEDDED_BYTES.
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fieldPath } from '../model/errors.js';
import { embeddedRefs } from '../model/embedded.js';
import { RELATIVE_PATH } from '../model/formats.js';
import { describeInput } from '../model/describe.js';
import { ConfigError } from '../model/index.js';
import { readRegularFile, refusalText } from './regular-file.js';

/** Files larger than this are refused: they would be embedded in the script. */
export const MAX_EMBEDDED_BYTES = 1024 * 1024;

/** The config with `embedded` holding every file it names; `shown` names the config in errors. */
export function readEmbeddedFiles(config: unknown, baseDir: string, shown: string): unknown {
  const refs = embeddedRefs(config).filter((ref) => RELATIVE_PATH.test(ref.file));
  if (refs.length === 0) return config;
  const problems: string[] = [];
  const embedded: Record<string, string> = {};
  const root = realpathSync(baseDir);
  for (const ref of refs) {
    if (ref.file in embedded) continue;
    const where = `${fieldPath(ref.field)}: ${describeInput(ref.file)}`;
    let real: string;
    try {
      real = realpathSync(join(root, ref.file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`${where}: ${code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file beside the config' : refusalText({ why: 'error', code: code ?? String(error) })}`);
      continue;
    }
    if (!real.startsWith(root + sep)) {
      problems.push(`${where}: leads out of the config's folder (a symlink?): keep the file beside the config`);
      continue;
    }
    // `real` holds no link any more: one swapped in since is refused, not followed.
    const read = readRegularFile(real, { maxBytes: MAX_EMBEDDED_BYTES });
    if (!read.ok) {
      problems.push(`${where}: ${refusalText(read.refused, 'files embedded in the script')}`);
      continue;
    }
    embedded[ref.file] = read.bytes.toString('base64');
  }
  if (problems.length > 0) throw new ConfigError(shown, problems);
  return { ...(config as object), embedded };
}
