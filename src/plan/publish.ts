// The push step (publish.repository): what the script pushes, signs and attests, decided
// here; templates/steps/push_image.hbs lays it out and pushLedger lists it for the root
// ledger, `explain` and the dry run.
import { RECORD_ORDER } from '../layout.js';
import { COSIGN_TYPES, KMS_SCHEMES } from '../model/publish.js';
import type { LedgerWriter } from './ledger-entry.js';
import type { OciPlan } from './oci.js';
import type { Resolved } from './resolve.js';
import { dryRunReleaseTags } from './shell-steps.js';
import type { StepSpec } from './steps.js';

/** Written beside the OCI layout once the image is pushed: where it went and by which digest. */
export const PUBLISH_RECORD = 'published.json';


export interface PushAttestation {
  /** cosign attest --type */
  type: string;
  /** The record's index in the architecture's RECORD_FILES. */
  record: number;
  /** The provenance record is an in-toto statement: cosign takes its predicate alone. */
  statement: boolean;
}

export interface PushPlan {
  repository: string;
  layoutDir: string;
  /** Several architectures: the tags name an index; each architecture's image is attested on its own digest. */
  several: boolean;
  sign: boolean;
  /** The key as the config names it; null = no signing. */
  key: string | null;
  /** A key file (resolved against the script's folder when relative), not a KMS reference. */
  keyFile: boolean;
  attestations: PushAttestation[];
  /** The attestation types (cosign's names), for the publish record and the script's report. */
  types: string[];
  typesText: string;
  record: string;
}

/** The push step's values, or null where the config does not push. */
export function planPush(r: Resolved, oci: OciPlan | null): PushPlan | null {
  const p = r.settings.publish;
  if (p?.repository === undefined || oci === null) return null;
  const key = p.sign || p.attestations.length > 0 ? (p.key ?? null) : null;
  return {
    repository: p.repository,
    layoutDir: oci.layoutDir,
    several: oci.several,
    sign: p.sign,
    key,
    keyFile: key !== null && !KMS_SCHEMES.some((scheme) => key.startsWith(scheme)),
    attestations: p.attestations.map((a) => ({ type: COSIGN_TYPES[a], record: RECORD_ORDER.indexOf(a), statement: a === 'provenance' })),
    types: p.attestations.map((a) => COSIGN_TYPES[a]),
    typesText: p.attestations.map((a) => COSIGN_TYPES[a]).join(', '),
    record: PUBLISH_RECORD,
  };
}

/** What the build host needs to push and sign. */
export function pushTools(push: PushPlan | null): { command: string; package: string }[] {
  if (!push) return [];
  return [{ command: 'skopeo', package: 'skopeo' }, ...(push.key !== null ? [{ command: 'cosign', package: 'cosign' }] : [])];
}

interface LedgerHelpers {
  host: (...words: string[]) => void;
  write: (what: string) => void;
  /** Every tag the image gets, as a dry run names them. */
  tags: string[];
  arches: string[];
  records: (arch: string) => string[];
  archTags: Record<string, string>;
  outputDir: string;
  scriptDir: string;
  workDir: string;
}

/** The push step (after the OCI layout it pushes): its template's data and its ledger part. */
export function pushStep(r: Resolved, oci: OciPlan | null): StepSpec[] {
  const push = planPush(r, oci);
  if (push === null) return [];
  const ledger = (out: LedgerWriter) =>
    pushLedger(push, {
      host: (...words) => out.host(...words),
      write: (what) => out.add('write', out.symbolic(what)),
      tags: [...out.plan.arrays.TAGS!, ...dryRunReleaseTags(r, out)],
      arches: r.settings.arch,
      records: (arch) => out.plan.maps.RECORD_FILES![arch]!.split('\n'),
      archTags: out.plan.maps.ARCH_TAGS!,
      outputDir: out.outputDir,
      scriptDir: out.scriptDir,
      workDir: out.workDir,
    });
  const title = push.key === null ? 'push' : 'push, sign, attest';
  return [{ fn: 'push_image', title, template: 'push_image', data: push, once: true, globals: { reads: ['RELEASE_TAGS'], sets: ['MADE_FILES'] }, ledger }];
}

/** The push step's root ledger entries, in the order the script runs them. */
function pushLedger(push: PushPlan, h: LedgerHelpers): void {
  const layout = `${h.outputDir}/${push.layoutDir}`;
  const digest = '<digest>';
  for (const tag of h.tags) {
    h.host('skopeo', 'copy', '--quiet', '--all', '--preserve-digests', '--digestfile', `${h.workDir}/pushed`, `oci:${layout}:${tag}`, `docker://${push.repository}:${tag}`);
  }
  const key = push.key === null ? '' : push.keyFile && !push.key.startsWith('/') ? `${h.scriptDir}/${push.key}` : push.key;
  const cosign = (...words: string[]) => h.host('cosign', ...words.slice(0, 1), '--yes', '--key', key, '--tlog-upload=false', ...words.slice(1));
  if (push.sign) cosign('sign', ...(push.several ? ['--recursive'] : []), `${push.repository}@${digest}`);
  if (push.attestations.length > 0) {
    for (const arch of h.arches) {
      let target = digest;
      if (push.several) {
        h.host('skopeo', 'inspect', '--raw', `oci:${layout}:${h.tags[0]}${h.archTags[arch]}`);
        h.write(`> ${h.workDir}/manifest-${arch}`);
        target = `sha256:<sha256 of manifest-${arch}>`;
      }
      for (const a of push.attestations) {
        let predicate = `${h.outputDir}/${h.records(arch)[a.record]}`;
        if (a.statement) {
          h.host('sed', '-e', '/^  "predicate": {$/,/^  }$/!d', '-e', 's/^  "predicate": {$/{/', predicate);
          predicate = `${h.workDir}/predicate-${arch}.json`;
          h.write(`> ${predicate}`);
        }
        cosign('attest', '--replace', '--type', a.type, '--predicate', predicate, `${push.repository}@${target}`);
      }
    }
  }
  h.write(`write ${h.outputDir}/.partial-${push.record}`);
  h.host('mv', '-f', `${h.outputDir}/.partial-${push.record}`, `${h.outputDir}/${push.record}`);
}
