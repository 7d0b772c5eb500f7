// The steps of a minimal (profile) image: an mmdebstrap build side in the work dir, then
// the image's rootfs assembled from it in a fresh folder. Which packages, accounts and
// files are decided here; the templates only lay out the commands.
import { NONROOT_UID, PROFILE_GROUP, PROFILE_PASSWD } from '../releases/minimal.js';
import type { Resolved } from './resolve.js';
import type { StepSpec } from './steps.js';

const lines = (items: readonly string[]) => items.map((line) => `${line}\n`).join('');

/** The image's CA bundle: written on the build side by ca-certificates' update-ca-certificates. */
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export function minimalSteps(r: Resolved): StepSpec[] {
  const profile = r.profile!;
  return [
    { fn: 'minimal_build', title: `mmdebstrap ${r.settings.suite} (build side)`, data: { noValidUntil: r.noValidUntil.build } },
    {
      fn: 'minimal_rootfs',
      title: `${profile.name} image`,
      data: {
        packages: profile.packages.map((p) => ({ name: p.name, only: p.only ?? [] })),
        caBundle: CA_BUNDLE,
        passwd: lines(PROFILE_PASSWD),
        group: lines(PROFILE_GROUP),
        uid: String(NONROOT_UID),
        reproducible: r.settings.reproducible,
      },
    },
  ];
}
