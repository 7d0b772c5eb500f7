// Each step declares the globals it reads and sets (STEP_GLOBALS: what one step hands
// the next). This test reads the functions the script defines, follows each step into
// the runtime functions it calls, and holds the declarations to what the shell does: a
// set that is not declared, a read that is not declared, or a declared read that no
// earlier step sets, fails; so does a hand-over from mmdebstrap's hook stages (another
// process) to the script's own steps.
import { describe, expect, it } from 'vitest';
import { loadSelection } from '../src/cli/entries.js';
import { planImage, renderImage } from '../src/generate.js';
import { validateSettings } from '../src/model/index.js';
import { STEP_GLOBALS, type StepPlan } from '../src/plan/steps.js';
import { renderPresets, ROOT } from './helpers/presets.js';
import { DEBIAN } from './helpers/settings.js';

const files = await renderPresets();
// The presets, and an OCI layout of two architectures built by mmdebstrap (no preset has one).
const oci = { id: 'oci', origin: { generatedFrom: 'test', regenerate: 'test' }, settings: validateSettings({ ...DEBIAN, arch: ['amd64', 'arm64'], backend: 'mmdebstrap', output: { oci: true, import: 'podman' } }, 't') };
const plans = [...loadSelection({ configs: [], sets: [], cwd: ROOT }).entries, oci].map(planImage);
const scriptOf = (id: string) =>
  id === oci.id ? renderImage(plans.at(-1)!).find((f) => f.path === 'mkimage.sh')!.content : files.find((f) => f.path === `${id}/mkimage.sh`)!.content;

/** Every function the script defines, by name: its body. */
function functions(script: string): Map<string, string> {
  return new Map([...script.matchAll(/^([a-z_]+)\(\) \{\n([\s\S]*?)^\}$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** A step's body and those of the runtime functions it calls, transitively (not other steps). */
function reach(fns: Map<string, string>, fn: string, steps: Set<string>, seen = new Set<string>()): string {
  if (seen.has(fn)) return '';
  seen.add(fn);
  const body = fns.get(fn) ?? '';
  // Calls are words of the code: not in comments, nor in strings.
  const code = body
    .replace(/(^|\s)#.*$/gm, '')
    .replace(/'[^']*'/g, "''")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
  const called = [...fns.keys()].filter((name) => name !== fn && name !== 'main' && !steps.has(name) && new RegExp(`(^|[\\s;|&(!])${name}(\\s|$|\\))`, 'm').test(code));
  return [body, ...called.map((name) => reach(fns, name, steps, seen))].join('\n');
}

/** The step globals a text sets and reads, leaving out those it makes local. */
function uses(text: string): { sets: string[]; reads: string[] } {
  const locals = new Set([...text.matchAll(/^\s*local(?: -[aA])? ([^\n]*)$/gm)].flatMap((m) => m[1]!.split(/\s+/).map((w) => w.replace(/[=+].*$/, ''))));
  const live = STEP_GLOBALS.filter((g) => !locals.has(g));
  return {
    sets: live.filter((g) => new RegExp(`(^|[\\s;(])${g}\\+?=|rootfs_resolve ${g} `, 'm').test(text)),
    reads: live.filter((g) => new RegExp(`\\$${g}\\b|\\$\\{#?${g}\\b`).test(text)),
  };
}

function check(plan: ReturnType<typeof planImage>): string[] {
  const script = scriptOf(plan.id);
  const fns = functions(script);
  const steps = plan.script.steps as StepPlan[];
  const names = new Set(steps.map((s) => s.fn));
  const problems: string[] = [];
  steps.forEach((step, i) => {
    const found = uses(reach(fns, step.fn, names));
    const { reads, sets } = step.globals;
    for (const g of found.sets) if (!sets.includes(g)) problems.push(`${step.fn} sets ${g} and does not declare it`);
    for (const g of found.reads) if (!reads.includes(g) && !sets.includes(g)) problems.push(`${step.fn} reads ${g} and does not declare it`);
    for (const g of [...reads, ...sets]) if (!found.reads.includes(g) && !found.sets.includes(g)) problems.push(`${step.fn} declares ${g} and does not use it`);
    // Each declared read is set by a step before it, in the same process.
    const hookStage = step.stage !== 'main';
    for (const g of reads) {
      const setter = steps.slice(0, i).find((s) => s.globals.sets.includes(g) && (s.stage !== 'main') === hookStage);
      if (!setter) problems.push(`${step.fn} reads ${g}, which no step before it sets${hookStage ? ' in its hook stage' : ''}`);
    }
  });
  return problems;
}

describe.each(plans.map((p) => [p.id, p] as const))('%s', (_id, plan) => {
  it("each step's declared globals are what its functions read and set, and every read is set before", () => {
    expect(check(plan)).toEqual([]);
  });
});

describe('the check can fail', () => {
  const plan = plans.find((p) => p.id === 'debian-trixie-ja')!;
  const withGlobals = (fn: string, globals: StepPlan['globals']) => ({
    ...plan,
    script: { ...plan.script, steps: plan.script.steps.map((s) => (s.fn === fn ? { ...s, globals } : s)) },
  });

  it('an undeclared set', () => {
    const tarball = plan.script.steps.find((s) => s.fn === 'tarball')!.globals;
    expect(check(withGlobals('tarball', { ...tarball, sets: tarball.sets.filter((g) => g !== 'PACKAGES_DB') }))).toContain('tarball sets PACKAGES_DB and does not declare it');
  });

  it('a read that no earlier step sets', () => {
    const records = plan.script.steps.find((s) => s.fn === 'records')!.globals;
    const problems = check(withGlobals('tarball', { reads: [], sets: [] }));
    expect(records.reads).toContain('PACKAGES_DB');
    expect(problems).toContain('records reads PACKAGES_DB, which no step before it sets');
  });
});
