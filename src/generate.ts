// The one pipeline: settings -> resolve (once) -> plan -> render -> files. The CLI, the
// library API and `explain` all go through here. Pure: no disk, no clock, no environment.
import { BUILDKIT_DOCKERFILE, BUILDKIT_GROUP, BUILDKIT_IGNORE_FILE, BUILDKIT_RECORDS_DIR } from './layout.js';
import { BUILDER_IMAGE_VARIABLE, DEFAULT_BUILDER_IMAGE, planBuildkit, type BuildkitPlan } from './plan/buildkit.js';
import { BAKE_FILE, checkLayout, configGroup, derivedFilePath, derivedFolder, DOCKERFILE, IGNORE_FILE, SCRIPT_FILE, type Origin, type OutputFile } from './layout.js';
import type { Settings } from './model/index.js';
import {
  baseImageConfig,
  importChanges,
  planBakeTargets,
  planBaseDockerfile,
  planDerivedDockerfile,
  type BakeTarget,
  type BaseDockerfilePlan,
  type DerivedDockerfilePlan,
} from './plan/dockerfiles.js';
import { buildOutputs } from './plan/build-outputs.js';
import { planOci } from './plan/oci.js';
import { resolve, type Resolved } from './plan/resolve.js';
import { planScript, type ScriptPlan } from './plan/script.js';
import { renderTemplate } from './render/engine.js';
import { runtimeParts } from './render/runtime.js';

/** One config to render: its id names its folder and bake target. */
export interface RenderEntry {
  id: string;
  settings: Settings;
  origin: Origin;
}

/** Everything decided about one config's image: what `explain` reads, what the templates render. */
export interface ImagePlan {
  id: string;
  origin: Origin;
  resolved: Resolved;
  script: ScriptPlan;
  dockerfile: BaseDockerfilePlan;
  derived: { folder: string; plan: DerivedDockerfilePlan; files: { path: string; content: string }[] }[];
  /** Its targets in a bake file whose folder for it is `<id>/`. */
  bakeTargets: BakeTarget[];
  /** What a build writes into the script's folder (its default output directory). */
  buildOutputs: string[];
  /** The BuildKit path (Dockerfile.buildkit and its bake targets); null where the config has none (plan/buildkit.ts says why). */
  buildkit: BuildkitPlan | null;
}

export function planImage({ id, settings, origin }: RenderEntry): ImagePlan {
  const r = resolve(settings);
  // Each architecture's image, imported or in the OCI layout, names its own records.
  const changes = settings.output.import === 'none' ? null : r.builds.map((build) => importChanges(baseImageConfig(r, build)));
  const script = planScript(r, id, origin, changes, planOci(r));
  return {
    id,
    origin,
    resolved: r,
    script,
    dockerfile: planBaseDockerfile(r, origin),
    derived: settings.derived.map((image) => ({
      folder: derivedFolder(image.name),
      plan: planDerivedDockerfile(r, image, origin),
      // Validation made sure these are UTF-8 text.
      files: image.files.map((f) => ({ path: derivedFilePath(f.source), content: Buffer.from(settings.embedded[f.source]!, 'base64').toString('utf8') })),
    })),
    bakeTargets: planBakeTargets(r, id, id),
    buildOutputs: buildOutputs(r),
    buildkit: planBuildkit(r, id, id, origin, script),
  };
}

/**
 * The files of one image, relative to its own folder. The templates are written in
 * shfmt's style, so the script needs no formatting pass: the lint tests prove that a
 * formatter would change nothing.
 */
export function renderImage(plan: ImagePlan): OutputFile[] {
  return [
    { path: SCRIPT_FILE, content: renderTemplate('mkimage.sh.hbs', { ...plan.script, runtime: runtimeParts() }), mode: 0o755 },
    { path: DOCKERFILE, content: renderTemplate('Dockerfile.base.hbs', plan.dockerfile), mode: 0o644 },
    {
      path: IGNORE_FILE,
      content: renderTemplate('gitignore.hbs', { ...plan.origin, names: [...plan.buildOutputs, ...(plan.buildkit ? [`${BUILDKIT_RECORDS_DIR}/`] : [])] }),
      mode: 0o644,
    },
    ...(plan.buildkit
      ? [
          { path: BUILDKIT_DOCKERFILE, content: renderTemplate('Dockerfile.buildkit.hbs', plan.buildkit.dockerfile), mode: 0o644 },
          { path: BUILDKIT_IGNORE_FILE, content: renderTemplate('dockerignore.hbs', { ...plan.origin, names: plan.buildkit.contextFiles }), mode: 0o644 },
        ]
      : []),
    ...plan.derived.flatMap(({ folder, plan: derived, files }) => [
      { path: `${folder}/${DOCKERFILE}`, content: renderTemplate('Dockerfile.derived.hbs', derived), mode: 0o644 },
      ...files.map((file) => ({ path: `${folder}/${file.path}`, content: file.content, mode: 0o644 })),
    ]),
  ];
}

/** What a build of each config's script writes into its folder, for `check` to look for. */
export function buildOutputsOf(entries: readonly RenderEntry[]): { folder: string; names: string[] }[] {
  return entries.map((e) => ({ folder: e.id, names: buildOutputs(resolve(e.settings)) }));
}

/** One config's files, for a caller that has settings and no output tree (the library API). */
export function renderConfig(settings: Settings, origin: Origin): OutputFile[] {
  return renderImage(planImage({ id: 'image', settings, origin }));
}

/** The bake file of a set of configs: every target, a group per config, and the default group of them all. */
export function renderBake(plans: readonly (Pick<ImagePlan, 'id' | 'bakeTargets'> & { buildkit?: BuildkitPlan | null })[], origin: Origin): string {
  const targets = plans.flatMap((p) => p.bakeTargets);
  const groups = plans.map((p) => ({ name: configGroup(p.id), targets: p.bakeTargets.map((t) => t.name) }));
  const variables = [...new Set(targets.flatMap((t) => [...t.buildTags.map((b) => b.variable), ...t.args.map((a) => a.variable)]))].sort();
  const withBuildkit = plans.flatMap((p) => (p.buildkit ? [p.buildkit] : []));
  const buildkit = {
    builderVariable: BUILDER_IMAGE_VARIABLE,
    defaultBuilder: DEFAULT_BUILDER_IMAGE,
    allGroup: BUILDKIT_GROUP,
    groups: withBuildkit.map((b) => b.group),
    targets: withBuildkit.flatMap((b) => b.targets),
  };
  return renderTemplate('docker-bake.hcl.hbs', { ...origin, targets, groups, variables, buildkit });
}

const byPath = (a: OutputFile, b: OutputFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Every config of `entries` in its folder `<id>/`, and one bake file for the set
 * `bakeEntries` (the same set, or a project's whole set when a run writes part of it).
 * The bake file lists its targets by config id, whatever order the configs came in;
 * nothing may claim a folder, target or tag twice.
 */
export function renderAll(entries: readonly RenderEntry[], bakeOrigin: Origin, bakeEntries: readonly RenderEntry[] = entries): OutputFile[] {
  const plans = [...bakeEntries].sort(byId).map(planImage);
  checkLayout(
    plans.map((p) => ({
      id: p.id,
      origin: p.origin,
      targets: [configGroup(p.id), ...p.bakeTargets.map((t) => t.name), ...(p.buildkit ? [p.buildkit.group.name, ...p.buildkit.group.targets] : [])],
      tags: [...p.bakeTargets.flatMap((t) => t.tags), ...p.resolved.builds.flatMap((b) => b.tags.map((tag) => `${p.resolved.settings.name}:${tag}`))],
    })),
  );
  const written = new Set(entries.map((e) => e.id));
  const files = plans
    .filter((plan) => written.has(plan.id))
    .flatMap((plan) => renderImage(plan).map((file) => ({ ...file, path: `${plan.id}/${file.path}` })));
  files.push({ path: BAKE_FILE, content: renderBake(plans, bakeOrigin), mode: 0o644 });
  return files.sort(byPath);
}
