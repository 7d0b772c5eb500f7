// Adding a step is one plan entry: a command list is all it takes for the script to
// define and run it, for its dry run to print it and for the root ledger to list it, the
// same lines in the same order. This test adds one (a fixture, spliced into a real
// plan as a plan entry would place it) and touches nothing else.
import { describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { ref, type Command } from '../src/plan/commands.js';
import { rootLedger } from '../src/plan/ledger.js';
import { placed } from '../src/plan/steps.js';
import { validateSettings } from '../src/model/index.js';
import { runAsNobody } from './helpers/dry-run.js';
import { dryRunLines, shownLines } from './helpers/ledger.js';
import { DEBIAN } from './helpers/settings.js';

const origin = { generatedFrom: 'test', regenerate: 'test' };

const commands: Command[] = [
  { kind: 'write', path: '/etc/motd', mode: '0644', content: "Built by the ops team's mkimage.sh\n", why: 'a banner for interactive shells' },
  { kind: 'chroot', argv: ['chmod', 'go-w', '/etc/motd'] },
  { kind: 'host', argv: ['ls', '-ld', [ref('OUTPUT_DIR'), '/'], [ref('ROOTFS'), "/etc/it's here"]] },
  { kind: 'link', target: '/etc/motd', path: '/etc/issue.net' },
  { kind: 'remove', paths: ['/etc/update-motd.d/*'], recursive: true },
  { kind: 'chroot', argv: ['run-parts', '--test', '/etc/update-motd.d'], when: { arches: ['arm64'] } },
  { kind: 'write', path: '/etc/motd.tail', mode: '0644', content: '', when: { exists: '/etc/motd.tail' } },
];

function withBanner(arches: string[]) {
  const settings = validateSettings({ ...DEBIAN, arch: arches }, 't');
  const plan = planImage({ id: 'banner', settings, origin });
  // The one plan entry: where steps.ts would list it, before finalize.
  const step = placed({ fn: 'motd_banner', title: 'motd banner', doc: ['A banner: the fixture of a step added as one plan entry.'], commands }, 'main', '0/0');
  const at = plan.script.steps.findIndex((s) => s.fn === 'finalize');
  plan.script.steps.splice(at, 0, step);
  plan.script.mainSteps.perArch.splice(
    plan.script.mainSteps.perArch.findIndex((s) => s.fn === 'finalize'),
    0,
    step,
  );
  return plan;
}

describe('a step added as one plan entry', () => {
  it.each([[['amd64']], [['amd64', 'arm64']]])('%j: the script defines and runs it, and its dry run is what the ledger lists', (arches) => {
    const plan = withBanner(arches);
    const script = renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;
    expect(script).toContain('\n# A banner: the fixture of a step added as one plan entry.\nmotd_banner() {\n');
    expect(script).toContain(`  run ls -ld "$OUTPUT_DIR"/ "\${ROOTFS}/etc/it's here"\n`);
    expect(script).toContain('  not_arch arm64 || in_chroot run-parts --test /etc/update-motd.d\n');
    const run = runAsNobody(script, ['--dry-run', '--output-dir', '/O', '--work-dir', '/W']);
    expect(run.status, run.stderr).toBe(0);
    const ledger = rootLedger(plan.script, plan.resolved);
    expect(dryRunLines(run.stdout)).toEqual(shownLines(ledger));
    const mine = ledger.filter((e) => e.step === 'motd_banner');
    // Each architecture's own lines; the arm64-only command only in arm64's.
    expect(mine.filter((e) => e.what.startsWith('run-parts')).length).toBe(arches.includes('arm64') ? 1 : 0);
    expect(mine.find((e) => e.what.includes('/etc/motd.tail'))?.when).toBe('if the rootfs has /etc/motd.tail');
    expect(mine.map((e) => e.what)).toContain(`ls -ld $OUTPUT_DIR/ '$ROOTFS/etc/it'\\''s here'`);
  });
});
