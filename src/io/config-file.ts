// Read a YAML or JSON config file (YAML is a superset of JSON, one parser reads both).
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../model/index.js';

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? String(error)}`]);
  }
  if (text.trim() === '') throw new ConfigError(path, ['the file is empty: a config needs at least name, distro, suite and mirror']);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      path,
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        // yaml ends its message with " at line L, column C:" and a code excerpt; say it once, up front.
        const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `syntax error at line ${at?.line ?? '?'}, column ${at?.col ?? '?'}: ${what}`;
      }),
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(path, ['expected a mapping of settings at the top level (name: ..., distro: ..., suite: ...)']);
  }
  return value;
}
