// mkimage-gen's own version, as package.json says: the build record and the SBOMs name it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** package.json sits at the package root, above src/ (tests) and dist/src/ (built). */
const path = [join(here, '../package.json'), join(here, '../../package.json')].find(existsSync)!;

export const GENERATOR_VERSION: string = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
