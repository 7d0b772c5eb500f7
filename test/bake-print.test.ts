// Every generated bake file is one that `docker buildx bake --print` reads and resolves:
// the HCL parses, every `target:` context names a target that exists, and each target's
// context folder and Dockerfile are where it says. Needs only the docker client and the
// buildx plugin that .ci/docker-engine unpacks (no daemon, no root); without them the
// test is skipped loudly, and under MKIMAGE_E2E_REQUIRED=1 (CI) that is a failure.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bakePrint, buildxProblems, DOCKER_PREFIX } from './e2e/support/docker.js';
import { REQUIRED } from './e2e/support/host.js';
import { GENERATED } from './helpers/presets.js';

function bakeFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...bakeFiles(path));
    else if (/^docker-bake.*\.hcl$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

interface Printed {
  group?: Record<string, { targets?: string[] }>;
  target: Record<string, { context?: string; dockerfile?: string; contexts?: Record<string, string>; tags?: string[] }>;
}

const problems = buildxProblems();
const files = bakeFiles(GENERATED).map((file) => relative(GENERATED, file));

if (problems.length > 0) {
  const banner = '='.repeat(78);
  console.warn(
    [
      banner,
      `BAKE FILE CHECK ${REQUIRED ? 'CANNOT RUN (MKIMAGE_E2E_REQUIRED=1: this fails)' : 'SKIPPED'}: docker buildx bake --print`,
      ...problems.map((p) => `  - ${p}`),
      banner,
    ].join('\n'),
  );
}

describe('docker buildx bake --print', () => {
  if (problems.length > 0) {
    if (REQUIRED) {
      it('has the docker client and buildx (MKIMAGE_E2E_REQUIRED=1)', () => {
        throw new Error(problems.join('; '));
      });
    } else {
      it.skip(`SKIPPED: ${problems.join('; ')}`, () => undefined);
    }
    return;
  }

  it('finds the generated bake files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('generated/%s parses, and every target and context resolves', (file) => {
    const path = join(GENERATED, file);
    const dir = dirname(path);
    const result = bakePrint(path, { cwd: dir });
    expect(result.status, `${DOCKER_PREFIX}: ${result.stderr}`).toBe(0);
    const printed = JSON.parse(result.stdout) as Printed;
    const targets = Object.entries(printed.target);
    expect(targets.length).toBeGreaterThan(0);
    for (const [name, target] of targets) {
      const context = join(dir, target.context ?? '.');
      expect(existsSync(context) && statSync(context).isDirectory(), `${name}: context ${target.context}`).toBe(true);
      expect(existsSync(join(context, target.dockerfile ?? 'Dockerfile')), `${name}: ${target.dockerfile} in ${target.context}`).toBe(true);
      expect(target.tags?.length ?? 0, `${name}: tags`).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(target.contexts ?? {})) {
        if (value.startsWith('target:'))
          expect(printed.target[value.slice('target:'.length)], `${name}: context ${key} = ${value}`).toBeDefined();
      }
    }
  });

  it.each(files)('generated/%s: `bake <config>` builds that config\'s base and derived images and no other', (file) => {
    const path = join(GENERATED, file);
    const dir = dirname(path);
    // What the tree holds, not what the code says: each config folder, and its derived/ folders.
    const configs = readdirSync(dir).filter((name) => existsSync(join(dir, name, 'mkimage.sh')));
    expect(configs.length).toBeGreaterThan(0);
    for (const id of configs) {
      const derivedDir = join(dir, id, 'derived');
      const derived = existsSync(derivedDir) ? readdirSync(derivedDir).map((name) => `${id}-${name}`) : [];
      const result = bakePrint(path, { cwd: dir, targets: [id] });
      expect(result.status, `${id}: ${result.stderr}`).toBe(0);
      const printed = JSON.parse(result.stdout) as Printed;
      expect(Object.keys(printed.target).sort(), id).toEqual([`${id}-base`, ...derived].sort());
      for (const target of Object.values(printed.target)) expect(target.context === id || target.context?.startsWith(`${id}/`), `${id}: ${target.context}`).toBe(true);
    }
  });

  it('fails on a bake file whose named context names no target (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkimage-bake-bad-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM base\n');
      writeFileSync(
        join(dir, 'docker-bake.hcl'),
        'target "derived" {\n  context = "."\n  tags = ["local/x:1"]\n  contexts = {\n    base = "target:missing"\n  }\n}\n',
      );
      const result = bakePrint(join(dir, 'docker-bake.hcl'), { cwd: dir, targets: ['derived'] });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('failed to find target missing');
      writeFileSync(join(dir, 'broken.hcl'), 'target "x" { contexts = { a = } }\n');
      expect(bakePrint(join(dir, 'broken.hcl'), { cwd: dir }).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
