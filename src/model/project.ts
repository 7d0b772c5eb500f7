// The project file: what an infra repo renders. It sits at the repo's root (found from
// the current directory upward) and lists the configs, the output directory and the
// settings every config shares.
import * as z from 'zod';
import { ConfigError, describeIssues } from './errors.js';
import { strictObject } from './schema.js';

export { PROJECT_FILE } from '../layout.js';

const relativePath = (what: string) =>
  z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0'), {
      error: `expected ${what} inside the project (relative, without ..)`,
    });

export const ProjectSchema = strictObject({
  $schema: z.string().optional(),
  configs: z.array(relativePath('a path or glob')).min(1),
  out: relativePath('a directory').default('images'),
  // Settings shared by every config; under debian: and ubuntu:, by the configs of that distro.
  defaults: z
    .looseObject({
      debian: z.record(z.string(), z.unknown()).optional(),
      ubuntu: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
});

export type ProjectInput = z.input<typeof ProjectSchema>;
export type ProjectSettings = z.output<typeof ProjectSchema>;

export function validateProject(input: unknown, source: string): ProjectSettings {
  // Parsed once per run: see validateSettings for why without zod's JIT.
  const result = ProjectSchema.safeParse(input, { reportInput: true, jitless: true });
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  return result.data;
}
