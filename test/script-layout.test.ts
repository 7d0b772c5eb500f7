// The generated script reads top to bottom: header (with the sha256 of each runtime part),
// settings, the steps in the order they run, main, then the runtime parts that are the
// same in every script, and last the one line that calls main.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSelection } from '../src/cli/entries.js';
import { planImage } from '../src/generate.js';
import { renderPartialAlone } from '../src/render/engine.js';
import { partMarkers, partsIn, RUNTIME_PARTS, runtimeParts } from '../src/render/runtime.js';
import { renderPresets, ROOT } from './helpers/presets.js';

const files = await renderPresets();
const plans = loadSelection({ configs: [], sets: [], cwd: ROOT }).entries.map(planImage);
const scriptOf = (id: string) => files.find((f) => f.path === `${id}/mkimage.sh`)!.content;

/** The runtime: from its first part's start marker through its last part's end marker. */
const FIRST = partMarkers(RUNTIME_PARTS[0]!).start;
const LAST = partMarkers(RUNTIME_PARTS.at(-1)!).end;
const runtimeBlock = (script: string) => {
  const from = script.indexOf(`\n${FIRST}`);
  const to = script.indexOf(`\n${LAST}\n`);
  return from < 0 || to < 0 ? undefined : script.slice(from + 1, to + LAST.length + 1);
};
const definitions = (script: string) => [...script.matchAll(/^([a-z_]+)\(\) \{$/gm)].map((m) => m[1]!);
const mainCalls = (script: string) => {
  const main = script.slice(script.indexOf('\nmain() {'));
  return [...main.matchAll(/^ +step \S+ (?:'[^']*'|\S+) ([a-z_]+)$/gm)].map((m) => m[1]!);
};

describe.each(plans.map((p) => [p.id, p] as const))('%s', (id, plan) => {
  const script = scriptOf(id);
  const beforeRuntime = script.slice(0, script.indexOf(`\n${FIRST}`));
  const stepFns = plan.script.steps.map((s) => s.fn);

  it('defines every step once, before the runtime, in the order the steps run', () => {
    const defined = definitions(beforeRuntime).filter((fn) => stepFns.includes(fn));
    expect(defined).toEqual(stepFns);
  });

  it('main calls its steps in that same order', () => {
    const called = mainCalls(script);
    const { before, perArch, after } = plan.script.mainSteps;
    expect(called).toEqual([...before, ...perArch, ...after].map((s) => s.fn));
    const positions = called.map((fn) => stepFns.indexOf(fn));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('runs the per-architecture steps inside the loop over ARCHES, the others once', () => {
    const main = script.slice(script.indexOf('\nmain() {'));
    const loop = main.slice(main.indexOf('for arch in "${ARCHES[@]}"; do'), main.indexOf('\n  done\n'));
    const inLoop = [...loop.matchAll(/^ {4}step \S+ (?:'[^']*'|\S+) ([a-z_]+)$/gm)].map((m) => m[1]!);
    expect(inLoop).toEqual(plan.script.mainSteps.perArch.map((s) => s.fn));
    expect(inLoop.length).toBeGreaterThan(0);
  });

  it('holds its settings first, main after the steps, the runtime after main, and calls main last', () => {
    const settingsAt = script.indexOf('# ---- settings:');
    expect(settingsAt).toBeGreaterThan(0);
    expect(settingsAt).toBeLessThan(script.indexOf('\n# ---- the steps'));
    expect(definitions(beforeRuntime).at(-1)).toBe('main');
    const afterMain = script.slice(script.indexOf('\nmain() {'));
    expect(afterMain.indexOf(`\n${FIRST}`)).toBeGreaterThan(0);
    expect(script.indexOf(`\n${LAST}\n`)).toBeGreaterThan(script.indexOf('\nmain() {'));
    expect(script.trimEnd().endsWith(`${LAST}\n\nmain "$@"`)).toBe(true);
  });
});

describe('the runtime block', () => {
  it('each part is its partial rendered with no data, marked at both ends, and the header names its sha256', () => {
    const parts = runtimeParts();
    expect(parts.map((p) => p.name)).toEqual([...RUNTIME_PARTS]);
    for (const part of parts) {
      const text = renderPartialAlone(part.name);
      const { start, end } = partMarkers(part.name);
      expect(text.startsWith(start), part.name).toBe(true);
      expect(text.endsWith(`\n${end}\n`), part.name).toBe(true);
      expect(text.slice(start.length).includes(start), 'one start marker').toBe(false);
      expect(createHash('sha256').update(text).digest('hex')).toBe(part.sha256);
    }
    for (const plan of plans) {
      const script = scriptOf(plan.id);
      // What the script holds between the markers, and what its header claims, are the parts'.
      expect(partsIn(script), plan.id).toEqual(parts.map((p) => ({ name: p.name, claimed: p.sha256, actual: p.sha256 })));
      for (const part of parts) expect(script).toContain(renderPartialAlone(part.name));
    }
  });

  it('is the same in every script', () => {
    const blocks = plans.map((p) => runtimeBlock(scriptOf(p.id)));
    expect(blocks.every((b) => b !== undefined && b.length > 1000)).toBe(true);
    expect(new Set(blocks).size).toBe(1);
  });

  it('defines no step', () => {
    const block = runtimeBlock(scriptOf(plans[0]!.id))!;
    const stepFns = new Set(plans.flatMap((p) => p.script.steps.map((s) => s.fn)));
    expect(definitions(block).filter((fn) => stepFns.has(fn))).toEqual([]);
  });
});
