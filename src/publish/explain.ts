// What `explain` says of a config that publishes: where the image goes, what signs it,
// what is attached. The commands themselves are in the root ledger below it.
import type { PushPlan } from '../plan/publish.js';
import type { StepPlan } from '../plan/steps.js';

export function publishLines(steps: readonly StepPlan[]): string[] {
  const push = steps.find((step) => step.fn === 'push_image')?.data as PushPlan | undefined;
  if (!push) return [];
  return [
    `Publish: every tag to ${push.repository}, by digest (skopeo from ${push.layoutDir}/; the login from REGISTRY_AUTH_FILE or docker's config; MKIMAGE_PUSH=0 skips it)`,
    ...(push.sign ? [`  signed with ${push.key} (cosign${push.keyFile ? ', password from COSIGN_PASSWORD' : ''}; no transparency log)`] : ['  not signed']),
    ...(push.attestations.length > 0 ? [`  attested: ${push.typesText}, on each architecture's image digest`] : []),
    `  the pushed digest is recorded in ${push.record}; check it with: mkimage-gen verify ${push.repository}:<tag> --key cosign.pub`,
  ];
}
