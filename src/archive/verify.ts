// Release files are trusted only with a good signature by a key of the keyrings the
// build trusts: the host's archive keyring for the distro's own suites (what debootstrap
// checks with), a repository's own key (its Signed-By) for an extra repository. As apt
// does, the host's gpgv checks them in a private, empty home, or sqv where gpgv is
// missing; nothing of the user's or root's GnuPG setup is read.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readRegularFile, refusalText } from '../io/regular-file.js';
import { join, resolve } from 'node:path';
import { dearmor, isArmored } from '../model/openpgp.js';
import { ArchiveError } from './errors.js';
import { findProgram, run } from './run.js';

/** A keyring file on the host (and the package that installs it), or key bytes from the config. */
export type Keyring = { path: string; pkg?: string } | { name: string; bytes: Uint8Array };

/** SHA1 and MD5 signatures are refused, as apt refuses them. */
const WEAK_HASHES = new Set(['1', '2']);

export interface Verifier {
  /** The signed text of an InRelease (clearsigned) file; undefined where only detached signatures can be checked (sqv). */
  inline?(signed: Buffer, url: string): Promise<string>;
  detached(data: Buffer, signature: Buffer, url: string): Promise<string>;
  close(): Promise<void>;
}

function keyringPaths(home: string, keyrings: readonly Keyring[]): Promise<string[]> {
  return Promise.all(
    keyrings.map(async (k, i) => {
      if ('path' in k) {
        if (!existsSync(k.path)) throw new ArchiveError(`the keyring ${k.path} is missing${k.pkg ? `: install the ${k.pkg} package` : ''}`);
        // Absolute: gpgv looks for a name without a slash in its (private) home.
        return resolve(k.path);
      }
      // gpgv and sqv read binary keyrings: an armored key is unwrapped first, as apt does with .asc.
      const file = join(home, `key-${i}.gpg`);
      const bytes = isArmored(k.bytes) ? dearmor(Buffer.from(k.bytes).toString('latin1')) : k.bytes;
      writeFileSync(file, bytes, { mode: 0o600 });
      return file;
    }),
  );
}

/** What gpgv's status lines say of the signatures: a good, valid one with a strong hash, or why not. */
function gpgvVerdict(status: string, exit: number | null, stderr: string): string | undefined {
  const lines = status.split('\n').filter((l) => l.startsWith('[GNUPG:] '));
  const bad = lines.find((l) => / (BADSIG|ERRSIG|EXPKEYSIG|REVKEYSIG|NO_PUBKEY) /.test(`${l} `));
  const valid = lines.filter((l) => l.startsWith('[GNUPG:] VALIDSIG '));
  if (exit === 0 && valid.length > 0 && !bad) {
    const weak = valid.find((l) => WEAK_HASHES.has(l.split(' ')[9] ?? ''));
    return weak ? 'signed with a weak digest (SHA1 or MD5), which apt refuses' : undefined;
  }
  if (bad?.includes('NO_PUBKEY') || bad?.includes('ERRSIG')) return `not signed by a trusted key (gpgv: ${stderr.trim().split('\n').pop() ?? 'no public key'})`;
  if (bad?.includes('BADSIG')) return 'the signature does not match the file (BADSIG): it was changed after signing';
  if (bad?.includes('EXPKEYSIG') || bad?.includes('REVKEYSIG')) return 'signed with an expired or revoked key';
  return `no valid signature (gpgv: ${stderr.trim().split('\n').pop() || `exit ${exit}`})`;
}

/**
 * A verifier for `keyrings`: gpgv where the host has it, else sqv (what apt uses on
 * newer releases); neither is an error naming the package. `only` picks one (tests).
 */
export async function verifier(keyrings: readonly Keyring[], only?: 'gpgv' | 'sqv'): Promise<Verifier> {
  const home = mkdtempSync(join(tmpdir(), 'mkimage-gen-gpgv-'));
  try {
    const paths = await keyringPaths(home, keyrings);
    const gpgv = only === 'sqv' ? undefined : findProgram('gpgv');
    const close = async () => rmSync(home, { recursive: true, force: true });
    if (gpgv) {
      const base = ['--homedir', home, '--status-fd', '1', '--logger-fd', '2', ...paths.flatMap((p) => ['--keyring', p])];
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', GNUPGHOME: home, HOME: home };
      const check = async (args: string[], url: string, input?: Buffer) => {
        // --output writes the signed text to a file (stdout carries the status lines).
        const out = join(home, 'signed.txt');
        rmSync(out, { force: true });
        const result = await run(gpgv, [...base, ...args.map((a) => (a === '@OUT' ? out : a))], input, env);
        const problem = gpgvVerdict(result.stdout.toString('utf8'), result.status, result.stderr);
        if (problem) throw new ArchiveError(`bad signature on ${url}: ${problem}`);
        return out;
      };
      return {
        async inline(signed, url) {
          const file = join(home, 'InRelease');
          writeFileSync(file, signed);
          const out = await check(['--output', '@OUT', file], url);
          // gpgv's output is the signed text, never longer than what it was given.
          const read = readRegularFile(out, { maxBytes: signed.length });
          if (!read.ok) throw new ArchiveError(`gpgv's output for ${url}: ${refusalText(read.refused)}`);
          return read.bytes.toString('utf8');
        },
        async detached(data, signature, url) {
          const file = join(home, 'Release');
          const sig = join(home, 'Release.gpg');
          writeFileSync(file, data);
          writeFileSync(sig, signature);
          await check([sig, file], url);
          return data.toString('utf8');
        },
        close,
      };
    }
    const sqv = only === 'gpgv' ? undefined : findProgram('sqv');
    if (sqv) {
      return {
        async detached(data, signature, url) {
          const file = join(home, 'Release');
          const sig = join(home, 'Release.gpg');
          writeFileSync(file, data);
          writeFileSync(sig, signature);
          // --keyring=FILE: one keyring to an option, however a version of sqv reads a list after --keyring.
          const result = await run(sqv, [...paths.map((p) => `--keyring=${p}`), sig, file]);
          if (result.status !== 0) throw new ArchiveError(`bad signature on ${url}: sqv: ${result.stderr.trim().split('\n').pop() || `exit ${result.status}`}`);
          return data.toString('utf8');
        },
        close,
      };
    }
    await close();
    throw new ArchiveError(
      only
        ? `${only} is not installed, so no Release file can be checked: install the ${only} package`
        : 'neither gpgv nor sqv is installed, so no Release file can be checked: install the gpgv package (or sqv)',
    );
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}
