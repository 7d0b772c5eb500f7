// The root ledger: everything the generated script does as root, in the order it does
// it, worked out from the plan alone — every command on the host and in the chroot,
// every mount, every host path it creates, writes or removes, every URL it fetches,
// every file it writes into the image (with the sha256 of what it writes). Each step
// brings its own part (its command list's, or the part its template declares, see
// ./steps.ts); this module only frames them: the work dir, each architecture in turn,
// the result cache. A test runs the script's --dry-run and proves the two agree line by line.
import { LedgerWriter, type LedgerEntry, type PlanValues } from './ledger-entry.js';
import type { Resolved } from './resolve.js';
import type { ScriptPlan } from './script.js';

export { DRY_RUN_STAND_INS, symbolic, type LedgerEntry, type LedgerKind } from './ledger-entry.js';

function planValues(plan: Pick<ScriptPlan, 'variables' | 'arrays' | 'maps'>): PlanValues {
  return {
    vars: Object.fromEntries(plan.variables.map((v) => [v.name, v.value])),
    arrays: Object.fromEntries(plan.arrays.map((a) => [a.name, a.values])),
    maps: Object.fromEntries(plan.maps.map((m) => [m.name, Object.fromEntries(m.entries.map((e) => [e.key, e.value]))])),
  };
}

/** The ledger of one script, in the order it runs: each architecture's steps in turn. */
export function rootLedger(plan: ScriptPlan, r: Resolved, where: 'host' | 'buildkit' = 'host'): LedgerEntry[] {
  const out = new LedgerWriter(r, planValues(plan), where === 'buildkit');
  const W = out.workDir;
  const withResults = { when: 'with --result-cache' };

  out.add('create', out.symbolic(`mktemp -d ${W}`), { shown: false, when: 'removed with everything below it when the script exits' });
  out.add('mount', 'mount -t tmpfs -o mode=0700 mkimage $WORK_DIR', { when: 'with --tmpfs: the build in memory' });

  const record = (planned: ScriptPlan['steps'][number]) => {
    out.step = planned.fn;
    out.inHookStage = planned.stage !== 'main';
    planned.ledger(out);
    // mmdebstrap's hook stages work on its own rootfs.
    if (planned.fn === 'mmdebstrap_build') out.rootfs = '<mmdebstrap rootfs>';
  };

  // main's own order: the steps before the architectures, each architecture's (with
  // mmdebstrap's hook stages inside its build), then the steps after them.
  const all = plan.steps;
  const firstPerArch = all.findIndex((p) => p.perArch);
  const lastPerArch = all.length - 1 - [...all].reverse().findIndex((p) => p.perArch);
  const lastCustomize = all.filter((p) => p.stage === 'customize').at(-1);
  for (const planned of all.slice(0, Math.max(firstPerArch, 0))) record(planned);
  for (const build of firstPerArch < 0 ? [] : r.builds) {
    out.arch = build.arch;
    out.rootfs = `${W}/rootfs-${build.arch}`;
    out.step = 'main';
    const kept = `$RESULT_CACHE/${out.plan.maps.KEPT_BUILDS![build.arch]}`;
    out.add('read', `compare the inputs with ${kept}/inputs`, {
      when: 'with --result-cache: when they are the same and the kept files match their checksums, it publishes those and skips the steps below',
    });
    for (const planned of all.slice(firstPerArch, lastPerArch + 1)) {
      record(planned);
      if (planned === lastCustomize) out.add('read', out.symbolic(`read the release version from ${W}/version-${build.arch}`));
    }
    out.step = 'main';
    out.add('write', `keep ${out.plan.maps.TARBALLS![build.arch]} and its records in ${kept}`, withResults);
  }
  for (const planned of all.slice(lastPerArch + 1)) record(planned);
  out.step = 'main';
  out.add('remove', '$WORK_DIR', { shown: false, when: 'on exit, after unmounting what is mounted below it' });
  return out.out;
}

/** The ledger as `explain` prints it. */
export function ledgerText(entries: readonly LedgerEntry[]): string[] {
  const width = Math.max(...entries.map((e) => e.kind.length));
  return entries.map((e) => {
    const hash = e.sha256 === undefined ? '' : e.sha256 === null ? ' [sha256: made at build time]' : ` [sha256 ${e.sha256}]`;
    const when = e.when ? ` (${e.when})` : '';
    return `  ${e.step.padEnd(16)} ${e.kind.padEnd(width)}  ${e.what}${hash}${when}`;
  });
}
