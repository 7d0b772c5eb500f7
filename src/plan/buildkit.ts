// The BuildKit path of one config: a Dockerfile whose rootfs stage runs this config's own
// mkimage.sh inside an unprivileged build container (--buildkit: root in there, nothing
// mounted), a FROM scratch stage with the same CMD, ENV and labels as the host path's
// base Dockerfile (planBaseDockerfile decides them for both), a records stage, and the
// bake targets that build them with the derived images. Only mmdebstrap configs have one:
// debootstrap mounts /proc and /sys, which a build container may not.
import { archFileName, BUILDKIT_DOCKERFILE, BUILDKIT_RECORDS_DIR, buildkitGroup, buildkitTarget, derivedFolder, DOCKERFILE, SCRIPT_FILE, type Origin } from '../layout.js';
import { PLATFORM_TOKEN, planBaseDockerfile, planBakeTargets, type BakeTarget, type BaseDockerfilePlan } from './dockerfiles.js';
import { rootLedger, type LedgerEntry } from './ledger.js';
import { ARCH_FACTS } from './arches.js';
import type { Resolved } from './resolve.js';
import type { ScriptPlan } from './script.js';

/** The bake variable that names the builder image, and its default: a Debian image users already pull. */
export const BUILDER_IMAGE_VARIABLE = 'MKIMAGE_BUILDER_IMAGE';
export const BUILDER_IMAGE_ARG = 'BUILDER_IMAGE';
export const DEFAULT_BUILDER_IMAGE = 'debian:trixie-slim';

/** Where the script, its outputs and the unpacked rootfs sit in the build container. */
const IN_CONTAINER = { dir: '/mkimage', out: '/mkimage/out', rootfs: '/mkimage/rootfs', cache: '/var/cache/mkimage-debs' } as const;

export interface BuildkitDockerfilePlan extends Origin {
  configId: string;
  builderArg: string;
  defaultBuilder: string;
  builder: BuilderNeeds;
  /** The files of the build context and where they go in the build container. */
  copies: { paths: [string, string] }[];
  /** The rootfs stage's one RUN: the script and its arguments, then the tarball unpacked. */
  command: string[];
  rootfsArg: string[];
  /** The platform's tarball, ${TARGETARCH}${TARGETVARIANT} in it where there are several. */
  tarball: string;
  /** COPY --from=rootfs of the records folder and of the rootfs. */
  recordsCopy: [string, string];
  rootfsCopy: [string, string];
  cacheId: string;
  cacheTarget: string;
  base: BaseDockerfilePlan;
}

/** What the builder image must have: mmdebstrap and each command and file the script's preflight names. */
export interface BuilderNeeds {
  commands: string[];
  files: string[];
  /** What the builder stage installs when one of them is missing. */
  packages: string[];
}

export interface BuildkitPlan {
  dockerfile: BuildkitDockerfilePlan;
  /** What the build context holds besides the Dockerfile: the rest stays out (the host's tarballs). */
  contextFiles: string[];
  targets: BuildkitTarget[];
  group: { name: string; targets: string[] };
}

export interface BuildkitTarget extends BakeTarget {
  dockerfile: string;
  /** The stage it builds. */
  target: string | null;
  /** buildx outputs; empty = the driver's default (the image store). */
  outputs: string[];
}

/** Why this config has no BuildKit path, or null when it has one. */
export function buildkitUnsupported(r: Resolved): string | null {
  if (r.settings.backend !== 'mmdebstrap') {
    return 'it builds with debootstrap, which mounts /proc and /sys in the rootfs, and an unprivileged BuildKit build may not mount: set backend: mmdebstrap to build it on BuildKit';
  }
  return null;
}

/**
 * What the builder image must have: each command and file the preflight checks for (the
 * engine's aside: BuildKit makes the image), and the packages that bring them. The builder
 * stage looks for the commands and files, not the packages, so an image that has them some
 * other way (a copied qemu binary) installs nothing.
 */
function builderNeeds(r: Resolved, script: ScriptPlan): BuilderNeeds {
  const engine = r.settings.output.import;
  const tools = script.tools.filter((t) => t.command !== engine);
  const files = [...script.requiredFiles];
  // Another architecture than the builder's runs through qemu: the kernel's binfmt_misc
  // entries are not visible in a container, so mmdebstrap copies qemu's static binary
  // into the rootfs and asks arch-test first. A single amd64 config built on amd64 needs neither.
  for (const build of r.builds.filter((b) => b.arch !== 'amd64')) {
    tools.push({ command: 'arch-test', package: 'arch-test' });
    files.push({ path: `/usr/bin/${ARCH_FACTS[build.arch].binfmt}-static`, package: 'qemu-user-static' });
  }
  const sorted = (values: string[]) => [...new Set(values)].sort();
  return {
    commands: sorted(tools.map((t) => t.command)),
    files: sorted(files.map((f) => f.path)),
    packages: sorted([...tools, ...files].map((n) => n.package)),
  };
}

export function planBuildkit(r: Resolved, id: string, dir: string, origin: Origin, script: ScriptPlan): BuildkitPlan | null {
  if (buildkitUnsupported(r) !== null) return null;
  const several = r.builds.length > 1;
  const expects = r.settings.expect === undefined ? [] : script.maps.find((m) => m.name === 'EXPECTS')!.entries.map((e) => e.value);
  const contextFiles = [SCRIPT_FILE, ...new Set(expects)];
  const dockerfile: BuildkitDockerfilePlan = {
    ...origin,
    configId: id,
    builderArg: BUILDER_IMAGE_ARG,
    defaultBuilder: DEFAULT_BUILDER_IMAGE,
    builder: builderNeeds(r, script),
    copies: contextFiles.map((file) => ({ paths: [file, `${IN_CONTAINER.dir}/${file}`] })),
    command: [`${IN_CONTAINER.dir}/${SCRIPT_FILE}`, '--buildkit', '--mode', 'root', '--output-dir', IN_CONTAINER.out, '--package-cache', IN_CONTAINER.cache],
    tarball: `${IN_CONTAINER.out}/${several ? archFileName(r.tarball, PLATFORM_TOKEN) : r.tarball}`,
    rootfsArg: [IN_CONTAINER.rootfs],
    recordsCopy: [`${IN_CONTAINER.out}/`, '/'],
    rootfsCopy: [`${IN_CONTAINER.rootfs}/`, '/'],
    // One package cache per config and platform (the Dockerfile adds the platform's args):
    // the script copies all of it into the rootfs.
    cacheId: `mkimage-debs-${id}`,
    cacheTarget: IN_CONTAINER.cache,
    base: planBaseDockerfile(r, origin),
  };
  const builder = { name: BUILDER_IMAGE_ARG, variable: BUILDER_IMAGE_VARIABLE };
  const [hostBase, ...hostDerived] = planBakeTargets(r, id, dir);
  const base: BuildkitTarget = {
    ...hostBase!,
    name: buildkitTarget(id, 'base'),
    dockerfile: BUILDKIT_DOCKERFILE,
    target: 'base',
    args: [...hostBase!.args, builder],
    outputs: [],
  };
  const records: BuildkitTarget = {
    ...base,
    name: buildkitTarget(id, 'records'),
    target: 'records',
    tags: [],
    buildTags: [],
    args: [builder],
    outputs: [`type=local,dest=${dir}/${BUILDKIT_RECORDS_DIR}`],
  };
  // The derived images are the host path's (same folder, same Dockerfile), on this base.
  const derived: BuildkitTarget[] = r.settings.derived.map((image, i) => ({
    ...hostDerived[i]!,
    name: buildkitTarget(id, image.name),
    context: `${dir}/${derivedFolder(image.name)}`,
    dockerfile: DOCKERFILE,
    target: null,
    contexts: [{ reference: r.baseReference, source: `target:${base.name}` }],
    outputs: [],
  }));
  const targets = [base, records, ...derived];
  return { dockerfile, contextFiles, targets, group: { name: buildkitGroup(id), targets: targets.map((t) => t.name) } };
}

/** What the BuildKit path runs where: nothing as root on the host; the script as root of the build container. */
export interface BuildkitLedger {
  /** On the host, as the user who runs bake (the docker group, or a remote builder): no root. */
  host: string[];
  /** As root of the build container: the script's own ledger in --buildkit mode. */
  container: LedgerEntry[];
}

/** The steps --buildkit skips: BuildKit makes the image (see the buildkit part of the runtime). */
const SKIPPED_IN_BUILDKIT = new Set(['import_image', 'oci_image']);

export function buildkitLedger(plan: BuildkitPlan, script: ScriptPlan, r: Resolved): BuildkitLedger {
  return {
    host: [`docker buildx bake -f docker-bake.hcl ${plan.group.name}`],
    // --tmpfs is refused in a build container; its mount is not among what runs there.
    container: rootLedger(script, r, 'buildkit').filter((e) => !SKIPPED_IN_BUILDKIT.has(e.step) && !(e.kind === 'mount' && e.when?.includes('--tmpfs'))),
  };
}
