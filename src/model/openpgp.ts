// Just enough OpenPGP (RFC 4880, RFC 9580) to name a signing key: unwrap ASCII armor,
// walk the packets, and compute each primary key's fingerprint. No crypto beyond the
// hash: apt checks the signatures, we only show the reader which key is trusted.
import { createHash } from 'node:crypto';

const ARMOR_BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----';
const ARMOR_END = '-----END PGP PUBLIC KEY BLOCK-----';
const PUBLIC_KEY = 6;

export class OpenPgpError extends Error {}

/** True where the bytes are an ASCII-armored public key block (apt wants `.asc` for those). */
export function isArmored(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 4096)).toString('latin1').includes(ARMOR_BEGIN);
}

/** The binary packets inside an armored block: the base64 between the headers and the checksum line. */
export function dearmor(text: string): Uint8Array {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const begin = lines.indexOf(ARMOR_BEGIN);
  const end = lines.indexOf(ARMOR_END, begin + 1);
  if (begin < 0 || end < 0) throw new OpenPgpError('no PGP PUBLIC KEY BLOCK');
  // Armor headers (Version:, Comment:) end at the first empty line.
  const blank = lines.indexOf('', begin + 1);
  const body = lines.slice(blank >= 0 && blank < end ? blank + 1 : begin + 1, end).filter((line) => !line.startsWith('='));
  const data = body.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new OpenPgpError('the armored block is not base64');
  return Buffer.from(data, 'base64');
}

interface Packet {
  tag: number;
  body: Uint8Array;
}

/** The packets of a binary key file; a length that runs past the end is an error. */
export function packets(bytes: Uint8Array): Packet[] {
  const out: Packet[] = [];
  let at = 0;
  while (at < bytes.length) {
    const head = bytes[at++]!;
    if ((head & 0x80) === 0) throw new OpenPgpError(`not an OpenPGP packet at byte ${at - 1}`);
    let tag: number;
    let length: number;
    if (head & 0x40) {
      tag = head & 0x3f;
      const first = bytes[at++];
      if (first === undefined) throw new OpenPgpError('truncated packet header');
      if (first < 192) length = first;
      else if (first < 224) length = ((first - 192) << 8) + (bytes[at++] ?? 0) + 192;
      else if (first === 255) {
        if (at + 4 > bytes.length) throw new OpenPgpError('truncated packet header');
        length = Buffer.from(bytes.subarray(at, at + 4)).readUInt32BE(0);
        at += 4;
      } else throw new OpenPgpError('partial body lengths do not occur in keys');
    } else {
      tag = (head >> 2) & 0x0f;
      const type = head & 0x03;
      if (type === 3) length = bytes.length - at;
      else {
        const size = [1, 2, 4][type]!;
        if (at + size > bytes.length) throw new OpenPgpError('truncated packet header');
        length = Buffer.from(bytes.subarray(at, at + size)).readUIntBE(0, size);
        at += size;
      }
    }
    if (at + length > bytes.length) throw new OpenPgpError('a packet runs past the end of the file');
    out.push({ tag, body: bytes.subarray(at, at + length) });
    at += length;
  }
  return out;
}

/**
 * The fingerprint of a public-key packet body: v4 = SHA-1 over 0x99, a two-byte length and
 * the body; v6 = SHA-256 over 0x9B, a four-byte length and the body.
 */
export function fingerprint(body: Uint8Array): string {
  const version = body[0];
  if (version === 4) {
    const prefix = Buffer.from([0x99, (body.length >> 8) & 0xff, body.length & 0xff]);
    return createHash('sha1').update(prefix).update(body).digest('hex').toUpperCase();
  }
  if (version === 6) {
    const prefix = Buffer.alloc(5);
    prefix[0] = 0x9b;
    prefix.writeUInt32BE(body.length, 1);
    return createHash('sha256').update(prefix).update(body).digest('hex').toUpperCase();
  }
  throw new OpenPgpError(`key version ${String(version)} is not supported (v4 and v6 are)`);
}

/** Secret-Key and Secret-Subkey packets (RFC 9580 5.5.1): a private key, never for a keyring. */
const SECRET_TAGS: Readonly<Record<number, string>> = { 5: 'Secret-Key', 7: 'Secret-Subkey' };

/**
 * The first secret-key packet in a key file, as words (`a Secret-Key packet (tag 5)`), or
 * undefined. Armored files are looked at block by block, each public key block whole.
 */
export function secretKeyPacket(bytes: Uint8Array): string | undefined {
  const blocks: Uint8Array[] = [];
  if (isArmored(bytes)) {
    const text = Buffer.from(bytes).toString('latin1');
    for (let at = text.indexOf(ARMOR_BEGIN); at >= 0; at = text.indexOf(ARMOR_BEGIN, at + 1)) {
      try {
        blocks.push(dearmor(text.slice(at)));
      } catch {
        // Not a block that unwraps: keyFingerprints says what is wrong with it.
      }
    }
  } else blocks.push(bytes);
  for (const block of blocks) {
    let found: Packet[];
    try {
      found = packets(block);
    } catch {
      continue;
    }
    const secret = found.find((p) => p.tag in SECRET_TAGS);
    if (secret) return `a ${SECRET_TAGS[secret.tag]} packet (OpenPGP tag ${secret.tag})`;
  }
  return undefined;
}

/** The fingerprints of the primary keys in a key file, armored or binary. */
export function keyFingerprints(bytes: Uint8Array): string[] {
  const binary = isArmored(bytes) ? dearmor(Buffer.from(bytes).toString('latin1')) : bytes;
  const keys = packets(binary).filter((p) => p.tag === PUBLIC_KEY);
  if (keys.length === 0) throw new OpenPgpError('no public key in it');
  return keys.map((k) => fingerprint(k.body));
}
