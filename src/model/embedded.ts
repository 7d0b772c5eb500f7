// The files a config names (signing keys, image files, CA certificates, hooks, derived
// images' files) travel inside the settings as `embedded`: path -> base64 content. The
// config loader reads them from beside the config; library callers pass them. Here:
// which fields name a file, and the checks each kind of content must pass.
import type { z } from 'zod';
import { describeInput } from './describe.js';
import { RELATIVE_PATH } from './formats.js';
import { keyFingerprints, OpenPgpError, secretKeyPacket } from './openpgp.js';

export type EmbeddedKind = 'key' | 'file' | 'certificate' | 'hook' | 'derived-file';

export interface EmbeddedRef {
  /** The field that names the file, as a path into the config. */
  field: (string | number)[];
  file: string;
  kind: EmbeddedKind;
}

interface Referencing {
  repositories?: { key?: unknown }[];
  files?: { source?: unknown }[];
  caCertificates?: unknown[];
  hooks?: { script?: unknown }[];
  derived?: { files?: { source?: unknown }[] }[];
}

const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
const obj = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** Every file a config names. Reads a raw config too (the loader runs before validation): odd shapes are skipped. */
export function embeddedRefs(config: unknown): EmbeddedRef[] {
  const c = obj(config) as Referencing;
  const refs: EmbeddedRef[] = [];
  const add = (field: (string | number)[], file: unknown, kind: EmbeddedKind) => {
    if (typeof file === 'string') refs.push({ field, file, kind });
  };
  list(c.repositories).forEach((r, i) => add(['repositories', i, 'key'], obj(r).key, 'key'));
  list(c.files).forEach((f, i) => add(['files', i, 'source'], obj(f).source, 'file'));
  list(c.caCertificates).forEach((f, i) => add(['caCertificates', i], f, 'certificate'));
  list(c.hooks).forEach((h, i) => add(['hooks', i, 'script'], obj(h).script, 'hook'));
  list(c.derived).forEach((d, i) => list(obj(d).files as { source?: unknown }[]).forEach((f, j) => add(['derived', i, 'files', j, 'source'], obj(f).source, 'derived-file')));
  return refs;
}

/** Text the script can carry in a here-document as it is: UTF-8, tabs and newlines only, a final newline. */
export function isPlainText(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('utf8');
  return Buffer.from(text, 'utf8').equals(Buffer.from(bytes)) && !/[\x00-\x08\x0b-\x1f\x7f\ufffd]/.test(text);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** PEM and OpenPGP armor headers of private keys: `PRIVATE KEY`, `RSA PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`, PGP 2's `SECRET KEY BLOCK`. */
const PRIVATE_ARMOR = /-----BEGIN ([A-Z0-9 ]*(?:PRIVATE|SECRET) KEY[A-Z0-9 ]*)-----/;

/** The first private key in a file that must hold public material only, as words, or undefined. */
export function privateKeyIn(kind: 'key' | 'certificate', bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('latin1');
  const armor = PRIVATE_ARMOR.exec(text);
  if (armor) return `-----BEGIN ${armor[1]}----- at line ${text.slice(0, armor.index).split('\n').length}`;
  return kind === 'key' ? secretKeyPacket(bytes) : undefined;
}

const PUBLIC_ONLY: Record<'key' | 'certificate', string> = {
  key: 'a signing key file holds the public key only (gpg --export [--armor]); keep the private key out of the config and the image',
  certificate: 'give the certificate only; the CA\'s private key must never reach the image',
};

/** What is wrong with a file's content for its kind, or undefined. */
function contentProblem(kind: EmbeddedKind, bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'is empty';
  if (kind === 'key' || kind === 'certificate') {
    const secret = privateKeyIn(kind, bytes);
    if (secret !== undefined) return `holds a private key (${secret}): ${PUBLIC_ONLY[kind]}`;
  }
  const text = Buffer.from(bytes).toString('utf8');
  switch (kind) {
    case 'key':
      try {
        keyFingerprints(bytes);
        return undefined;
      } catch (error) {
        if (error instanceof OpenPgpError) return `is not an OpenPGP public key (${error.message}): export it with gpg --export [--armor]`;
        throw error;
      }
    case 'certificate':
      return /^-----BEGIN CERTIFICATE-----\r?$/m.test(text) && isPlainText(bytes)
        ? undefined
        : 'is not a PEM certificate (-----BEGIN CERTIFICATE-----): update-ca-certificates reads only those';
    case 'hook':
      if (!isPlainText(bytes)) return 'is not a text file (UTF-8, tabs and newlines, ending in a newline)';
      return text.startsWith('#!') ? undefined : 'does not start with #! (say which shell runs it, e.g. #!/bin/sh)';
    case 'derived-file':
      return Buffer.from(text, 'utf8').equals(Buffer.from(bytes)) ? undefined : 'is not UTF-8 text (files of derived images are written beside the Dockerfile as text)';
    case 'file':
      return undefined;
  }
}

/** Every named file has its content, in base64, and the content suits its kind. */
export function checkEmbedded(s: { embedded: Record<string, string> }, ctx: z.RefinementCtx): void {
  // A path that is not one has its own error already.
  for (const ref of embeddedRefs(s).filter((r) => RELATIVE_PATH.test(r.file))) {
    const content = s.embedded[ref.file];
    if (content === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ref.field,
        message: `${describeInput(ref.file)} was not read: the config loader reads it from beside the config (library callers pass embedded: { path: base64 })`,
      });
      continue;
    }
    if (!BASE64.test(content) || content.length % 4 !== 0) {
      ctx.addIssue({ code: 'custom', path: ref.field, message: `${describeInput(ref.file)}: its content in embedded is not base64` });
      continue;
    }
    const problem = contentProblem(ref.kind, Buffer.from(content, 'base64'));
    if (problem) ctx.addIssue({ code: 'custom', path: ref.field, message: `${describeInput(ref.file)} ${problem}` });
  }
}

/**
 * A repository's `fingerprint` pins its key: the key file's primary keys must be exactly
 * those. A key file that is not a key has its own error already (checkEmbedded).
 */
export function checkKeyPins(
  s: { embedded: Record<string, string>; repositories: { key: string; fingerprint?: string[] | undefined }[] },
  ctx: z.RefinementCtx,
): void {
  for (const [i, repo] of s.repositories.entries()) {
    const content = s.embedded[repo.key];
    if (repo.fingerprint === undefined || content === undefined || !BASE64.test(content)) continue;
    // Refinements run on a config with other errors too: a pin that is not one has its own.
    if (!Array.isArray(repo.fingerprint) || !repo.fingerprint.every((f) => typeof f === 'string' && /^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(f))) continue;
    let found: string[];
    try {
      found = keyFingerprints(Buffer.from(content, 'base64'));
    } catch (error) {
      if (error instanceof OpenPgpError) continue;
      throw error;
    }
    const pinned = [...new Set(repo.fingerprint)].sort();
    const actual = [...new Set(found)].sort();
    if (pinned.join(' ') === actual.join(' ')) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['repositories', i, 'fingerprint'],
      message: `the key file ${describeInput(repo.key)} holds ${actual.length === 1 ? 'the key' : 'the keys'} ${actual.join(', ')}, not the pinned ${pinned.join(', ')}: check where the key came from before you change the pin`,
    });
  }
}
