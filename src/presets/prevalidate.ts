// Build time only: the JavaScript module that stands in for ./validated.ts in the CLI
// bundle, holding the presets validated now. JSON carries them: validated settings are
// plain data, and the build fails if any would not survive the trip (undefined, a Date).
import { isDeepStrictEqual } from 'node:util';
import { validatedPresets } from './validated.js';

export function prevalidatedModule(): string {
  const presets = validatedPresets();
  const json = JSON.stringify(presets);
  if (!isDeepStrictEqual(JSON.parse(json), presets)) {
    throw new Error('the validated presets do not survive JSON: validate them at run time, or carry them otherwise');
  }
  // JSON.parse of a string literal: V8 reads that faster than the same object literal.
  return `// Validated from src/presets/ by scripts/bundle.mjs; stands in for src/presets/validated.ts.
export const validatedPresets = () => JSON.parse(${JSON.stringify(json)});
`;
}
