// The end-to-end tests' view of the build host: the shared helpers (buildhost/), and
// describeE2E, which runs a suite only as root with the tools and a reachable mirror;
// otherwise it is skipped with a loud reason, and with MKIMAGE_E2E_REQUIRED=1 (CI)
// such a skip is a failure.
import { describe, it } from 'vitest';
import type { HostMirrors } from '../../../buildhost/mirrors.js';
import type { Prerequisites } from '../../../buildhost/host.js';

export * from '../../../buildhost/host.js';

export const REQUIRED = process.env.MKIMAGE_E2E_REQUIRED === '1';

/**
 * describe() for end-to-end tests: runs them when the host can, else says loudly why
 * not; under MKIMAGE_E2E_REQUIRED=1 the missing prerequisites are a failing test.
 */
export function describeE2E(title: string, prereq: Prerequisites, body: (mirrors: HostMirrors) => void): void {
  if (prereq.problems.length === 0 && prereq.mirrors) {
    describe(title, () => body(prereq.mirrors!));
    return;
  }
  const reason = prereq.problems.join('; ');
  const banner = '='.repeat(78);
  console.warn(
    [
      banner,
      `END-TO-END TESTS ${REQUIRED ? 'CANNOT RUN (MKIMAGE_E2E_REQUIRED=1: this fails)' : 'SKIPPED'}: ${title}`,
      ...prereq.problems.map((p) => `  - ${p}`),
      '  They build real images: run as root after `sudo bash .ci/deps` (see README, "End-to-end tests").',
      banner,
    ].join('\n'),
  );
  describe(title, () => {
    if (REQUIRED) {
      it('has what end-to-end tests need (MKIMAGE_E2E_REQUIRED=1)', () => {
        throw new Error(`end-to-end tests cannot run: ${reason}`);
      });
    } else {
      it.skip(`SKIPPED: ${reason}`, () => undefined);
    }
  });
}
