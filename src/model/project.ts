// The project file: what an infra repo renders. It sits at the repo's root (found from
// the current directory upward) and lists the configs, the output directory and the
// settings every config shares.
import * as z from 'zod';
import { ConfigError, describeIssues } from './errors.js';
import { strictObject } from './schema.js';

export { PROJECT_FILE } from '../layout.js';

/** The `$schema` key an editor modeline may add, in a project file or a config. */
export const SCHEMA_KEY_DESCRIPTION = 'the JSON Schema this file follows; editors read it, mkimage-gen ignores it';

const relativePath = (what: string) =>
  z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0'), {
      error: `expected ${what} inside the project (relative, without ..)`,
    });

export const ProjectSchema = strictObject({
  $schema: z.string().optional().describe(SCHEMA_KEY_DESCRIPTION),
  configs: z.array(relativePath('a path or glob')).min(1).describe('config files to render, as paths or globs relative to this file (e.g. configs/*.yaml)'),
  out: relativePath('a directory').default('images').describe('the output directory, relative to this file'),
  defaults: z
    .looseObject({
      debian: z.record(z.string(), z.unknown()).optional().describe('settings merged under every Debian config, e.g. mirror and securityMirror'),
      ubuntu: z.record(z.string(), z.unknown()).optional().describe('settings merged under every Ubuntu config, e.g. mirror and portsMirror'),
    })
    .default({})
    .describe("settings merged under every config; under debian: and ubuntu:, only under the configs of that distro (set the mirrors there, once); a config's own value wins"),
});
export type ProjectSettings = z.output<typeof ProjectSchema>;

export function validateProject(input: unknown, source: string): ProjectSettings {
  // Parsed once per run: see validateSettings for why without zod's JIT.
  const result = ProjectSchema.safeParse(input, { reportInput: true, jitless: true });
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  return result.data;
}
