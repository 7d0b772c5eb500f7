// The publish setting: where the script pushes the image, and how it signs and attests
// it. Credentials never live here: the registry login comes from the usual login files,
// the key's password from COSIGN_PASSWORD. The values are checked so that a mistake
// (a tag, a scheme, a password in the repository) is an error before anything runs.
import * as z from 'zod';
import { describeInput } from './describe.js';

/** The attestations the script can attach, and the cosign predicate type of each. */
export const ATTESTATIONS = ['spdx', 'cyclonedx', 'provenance'] as const;
export type Attestation = (typeof ATTESTATIONS)[number];
export const COSIGN_TYPES: Record<Attestation, string> = { spdx: 'spdxjson', cyclonedx: 'cyclonedx', provenance: 'slsaprovenance1' };

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:localhost|\\[[0-9A-Fa-f:]+\\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)';
/** A registry repository: host[:port]/path, where the host is localhost or has a dot (as docker tells a registry from a path). */
export const REGISTRY_REPOSITORY = new RegExp(`^(?=.{1,255}$)${HOST}(?::[0-9]{1,5})?/${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** Key references cosign resolves itself (KMS and tokens); anything else is a key file. */
export const KMS_SCHEMES = ['awskms://', 'gcpkms://', 'azurekms://', 'hashivault://', 'k8s://', 'gitlab://', 'pkcs11:'] as const;

const EXAMPLE = 'registry.example.com/infra/debian';

/** Why a repository is not one the script can push to; undefined when it is. */
export function repositoryProblem(value: string): string | undefined {
  const firstSlash = value.indexOf('/');
  const authority = firstSlash < 0 ? value : value.slice(0, firstSlash);
  // Never echo what could hold a password.
  if (authority.includes('@') || /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) {
    return 'the repository (credentials hidden) carries credentials: log in with docker login, podman login or skopeo login instead';
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `${describeInput(value)} has a scheme: name the repository as host[:port]/path (e.g. ${EXAMPLE})`;
  if (value.includes('@')) return `${describeInput(value)} names a digest: the script pushes by digest itself; name the repository alone (e.g. ${EXAMPLE})`;
  const last = value.slice(value.lastIndexOf('/') + 1);
  if (firstSlash >= 0 && last.includes(':')) return `${describeInput(value)} names a tag: the tags come from output (suite, version, tags); name the repository alone (e.g. ${EXAMPLE})`;
  if (firstSlash < 0 || !new RegExp(`^${HOST}(?::[0-9]{1,5})?$`).test(authority)) {
    return `${describeInput(value)} does not start with a registry host: name it as host[:port]/path, the host being localhost or a name with a dot (e.g. ${EXAMPLE}, localhost:5000/debian)`;
  }
  const port = /:([0-9]+)$/.exec(authority)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `${describeInput(value)}: the port must be from 1 to 65535`;
  if (!REGISTRY_REPOSITORY.test(value)) {
    return `${describeInput(value)} is not a registry repository: after the host, lowercase path components of letters, digits and . _ - (e.g. ${EXAMPLE})`;
  }
  return undefined;
}

/** Why a key reference is not one cosign can sign with; undefined when it is. */
export function keyProblem(value: string): string | undefined {
  if (value.length === 0) return 'name the key: a cosign key file (e.g. cosign.key) or a KMS reference (e.g. awskms:///alias/images)';
  if (/[\x00-\x1f\x7f]/.test(value)) return `${describeInput(value)}: a key reference cannot hold control characters or newlines`;
  const kms = KMS_SCHEMES.find((scheme) => value.startsWith(scheme));
  if (kms) {
    if (/^[a-z0-9]+:\/\/[^/]*@/i.test(value)) return 'the key reference (credentials hidden) carries credentials: cosign reads them from its environment (VAULT_TOKEN, AWS_*, ...)';
    return undefined;
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) {
    return `${describeInput(value)} is neither a key file nor a KMS reference cosign knows (${KMS_SCHEMES.join(', ')})`;
  }
  if (value.endsWith('.pub')) return `${describeInput(value)} is a public key: sign with the private key (cosign.key); verify takes the public one`;
  if (value.split('/').includes('..')) return `${describeInput(value)}: a key file path cannot go up with ..; give it absolute or below the script's folder`;
  return undefined;
}

const checked = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

const attestation = z.enum(ATTESTATIONS, {
  error: (issue) => `expected one of ${ATTESTATIONS.join(', ')}, got ${describeInput(issue.input)}`,
});

export const publishShape = {
  repository: checked(repositoryProblem)
    .optional()
    .describe(
      'the registry repository the script pushes the image to (host[:port]/path, no tag, no credentials): every architecture and one index, by digest, with all the tags; unset = no push (a project default can hold the rest)',
    ),
  sign: z.boolean().default(true).describe('sign the pushed digest with cosign and key'),
  key: checked(keyProblem)
    .optional()
    .describe(
      "cosign's private key: a key file (absolute, or relative to the script's folder; its password comes from COSIGN_PASSWORD) or a KMS reference cosign understands (awskms://, gcpkms://, azurekms://, hashivault://, k8s://)",
    ),
  attestations: z
    .array(attestation)
    .default([...ATTESTATIONS])
    .describe('the records attached to each pushed image as signed in-toto attestations: spdx, cyclonedx (the SBOMs), provenance (SLSA v1)'),
};

/** The settings' publish checks that need more than one field (the schema calls it). */
export function checkPublish(
  s: { publish?: { repository?: string; sign: boolean; key?: string; attestations: Attestation[] }; output: { oci: boolean } },
  ctx: z.RefinementCtx,
): void {
  const p = s.publish;
  if (!p) return;
  const seen = new Set<string>();
  for (const [i, a] of p.attestations.entries()) {
    if (seen.has(a)) ctx.addIssue({ code: 'custom', path: ['publish', 'attestations', i], message: `${a} is listed twice` });
    seen.add(a);
  }
  if (p.repository === undefined) return;
  if (!s.output.oci) {
    ctx.addIssue({
      code: 'custom',
      path: ['publish', 'repository'],
      message: 'the script pushes the OCI image layout it writes: set output.oci: true (it needs no daemon, and gives the same digest for the same build)',
    });
  }
  if (p.attestations.length > 0 && !p.sign) {
    ctx.addIssue({ code: 'custom', path: ['publish', 'attestations'], message: 'attestations are signed with the key: set sign: true, or attestations: []' });
  }
  if ((p.sign || p.attestations.length > 0) && p.key === undefined) {
    ctx.addIssue({ code: 'custom', path: ['publish', 'key'], message: 'required to sign: a cosign key file (e.g. cosign.key) or a KMS reference; or set sign: false and attestations: []' });
  }
}
