// Checks that need the release as well as the value: what passes on one release and
// fails as root on another (a legacy time zone on trixie, arm64 from an amd64-only
// Ubuntu mirror, a pinned version debootstrap cannot take).
import type { z } from 'zod';
import type { Release } from '../releases/index.js';
import { describeInput } from './describe.js';
import { legacyTimezoneProblem } from './timezone.js';

/** What the checks read; the fields as the schema has them before defaults are filled. */
interface Checked {
  distro: 'debian' | 'ubuntu';
  arch: string | readonly string[];
  backend: string;
  mirror?: string | undefined;
  portsMirror?: string | undefined;
  include: readonly string[];
  timezone?: string | undefined;
}

/** Ubuntu's main archive carries amd64 and i386; every other architecture is on the ports archive. */
const UBUNTU_MAIN_ARCHES: readonly string[] = ['amd64', 'i386'];
const EXAMPLE_PORTS_MIRROR = 'http://ftp.jaist.ac.jp/pub/Linux/ubuntu-ports';
const EXAMPLE_UBUNTU_MIRROR = 'http://ftp.jaist.ac.jp/pub/Linux/ubuntu';

/**
 * A ports mirror by its address: ports.<domain>, or a path part naming ports (mirrors
 * publish it as /ubuntu-ports). The archive of ended releases holds every architecture.
 */
function mirrorKind(mirror: string): 'ports' | 'old-releases' | 'main' {
  const match = /^[a-z]+:\/\/([^/]*)(\/.*)?$/.exec(mirror);
  const host = match?.[1] ?? '';
  const path = match?.[2] ?? '';
  if (host.startsWith('old-releases.')) return 'old-releases';
  if (host.startsWith('ports.') || path.split('/').some((part) => /(^|-)ports$/.test(part))) return 'ports';
  return 'main';
}

export function reportReleaseChecks(ctx: z.RefinementCtx, s: Checked, release: Release): void {
  if (s.timezone !== undefined) {
    const problem = legacyTimezoneProblem(s.timezone, release);
    if (problem) ctx.addIssue({ code: 'custom', path: ['timezone'], message: problem });
  }
  if (s.distro === 'ubuntu' && s.mirror !== undefined) {
    const arches = typeof s.arch === 'string' ? [s.arch] : s.arch;
    const mixed = arches.some((arch) => UBUNTU_MAIN_ARCHES.includes(arch));
    for (const arch of new Set(arches)) {
      const onMain = UBUNTU_MAIN_ARCHES.includes(arch);
      // Ports architectures read portsMirror where there is one, else the mirror.
      const field = !onMain && (s.portsMirror !== undefined || mixed) ? 'portsMirror' : 'mirror';
      const mirror = field === 'portsMirror' ? s.portsMirror : s.mirror;
      const kind = mirror === undefined ? 'main' : mirrorKind(mirror);
      if (!onMain && kind === 'main') {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `Ubuntu publishes ${arch} on its ports archive, not on ${mirror === undefined ? 'the main mirror' : describeInput(mirror)}: name a mirror of ubuntu-ports (e.g. ${field}: ${EXAMPLE_PORTS_MIRROR})`,
        });
      } else if (onMain && kind === 'ports') {
        ctx.addIssue({
          code: 'custom',
          path: ['mirror'],
          message: `the ports archive ${describeInput(s.mirror)} has no ${arch}: name a mirror of the main Ubuntu archive (e.g. mirror: ${EXAMPLE_UBUNTU_MIRROR})`,
        });
      }
    }
  }
}
