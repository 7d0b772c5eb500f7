// Rewrites the settings reference in README.md from the model (run by `make generate`,
// after the build); test/settings-reference.test.ts fails when the README's copy is old.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { withReference } = await import(join(root, 'dist/src/model/reference.js'));
const file = join(root, 'README.md');
const readme = readFileSync(file, 'utf8');
const updated = withReference(readme);
if (updated === undefined) throw new Error('README.md has no settings reference markers');
if (updated !== readme) writeFileSync(file, updated);
