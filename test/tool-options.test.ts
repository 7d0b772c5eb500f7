// The tools' options are one list: the script's words, as bash expands them, are what
// the ledger lists; the options the script adds only with --package-cache or in a build
// container come from the same list as the rest.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { planImage, renderImage } from '../src/generate.js';
import { joined, ref, setting, type Word } from '../src/plan/commands.js';
import { QUOTING_HELPERS } from '../src/render/engine.js';
import { validateSettings } from '../src/model/index.js';
import { runAsNobody } from './helpers/dry-run.js';
import { DEBIAN } from './helpers/settings.js';

const origin = { generatedFrom: 'test', regenerate: 'test' };

/** What bash makes of `{{shWords words}}` with these values set, one word per line. */
function expandInBash(words: Word[], values: { ROOTFS: string; ARCH: string; KEYRING: string; INCLUDE: string[] }): string[] {
  const script = [
    'join_by() { local IFS=$1; shift; printf %s "$*"; }',
    `ROOTFS=${QUOTING_HELPERS.sh(values.ROOTFS)} ARCH=${QUOTING_HELPERS.sh(values.ARCH)} KEYRING=${QUOTING_HELPERS.sh(values.KEYRING)}`,
    `INCLUDE=${QUOTING_HELPERS.shArray(values.INCLUDE)}`,
    `words=(${QUOTING_HELPERS.shWords(words)})`,
    `printf '%s\\0' "\${words[@]}"`,
  ].join('\n');
  const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\0').slice(0, -1);
}

describe('words joined from pieces', () => {
  const values = { ROOTFS: "/w o/rk's $HOME", ARCH: 'arm64', KEYRING: '/k"ey\\ring', INCLUDE: ['a', 'b c'] };
  const words: Word[] = [
    ['--arch=', ref('ARCH')],
    ['--keyring=', setting('KEYRING')],
    ['--include=', joined('INCLUDE')],
    ['--setup-hook=sync-in ', ref('ROOTFS'), ' /var/cache/apt/archives/'],
    ['--customize-hook=download /etc/x ', ref('ROOTFS'), '/version-', ref('ARCH')],
    ["it's $1 `x` \\ \"y\" ", ref('ROOTFS'), '!'],
    [ref('ROOTFS'), '/etc/*'],
  ];
  const expected = [
    '--arch=arm64',
    '--keyring=/k"ey\\ring',
    '--include=a,b c',
    `--setup-hook=sync-in ${values.ROOTFS} /var/cache/apt/archives/`,
    `--customize-hook=download /etc/x ${values.ROOTFS}/version-arm64`,
    `it's $1 \`x\` \\ "y" ${values.ROOTFS}!`,
    `${values.ROOTFS}/etc/*`,
  ];

  it('bash expands each to its literals and the values, nothing more', () => {
    expect(expandInBash(words, values)).toEqual(expected);
  });

  it('reads as a reviewer expects: bare where it can be, one double-quoted string where only spaces need quotes', () => {
    expect(QUOTING_HELPERS.shWords([words[0]!, words[3]!])).toBe('--arch="$ARCH" "--setup-hook=sync-in ${ROOTFS} /var/cache/apt/archives/"');
  });

  it('refuses a name that is not a variable of the script', () => {
    expect(() => QUOTING_HELPERS.shWords([['--x=', { ref: 'a;b' }]])).toThrow(/not a setting of the script/);
  });
});

describe("mmdebstrap's options in the script", () => {
  const settings = validateSettings({ ...DEBIAN, backend: 'mmdebstrap', include: ['curl'] }, 't');
  const plan = planImage({ id: 'opts', settings, origin });
  const script = renderImage(plan).find((f) => f.path === 'mkimage.sh')!.content;
  const mmdebstrapLine = (args: string[]) => {
    const run = runAsNobody(script, ['--dry-run', '--output-dir', '/O', '--work-dir', '/W', ...args]);
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.split('\n').find((line) => line.startsWith('+ ') && line.includes(' mmdebstrap '))!;
  };

  it('adds the package-cache options only with --package-cache, and --skip=chroot/mount only with --buildkit', () => {
    const plain = mmdebstrapLine([]);
    expect(plain).toContain(' --include=iproute2,curl ');
    expect(plain).not.toContain('sync-in');
    expect(plain).not.toContain('--skip=chroot/mount');
    const cached = mmdebstrapLine(['--package-cache', '/P']);
    expect(cached).toContain(`'--setup-hook=sync-in /P /var/cache/apt/archives/'`);
    expect(cached).toContain(`'--customize-hook=sync-out /var/cache/apt/archives /P'`);
    expect(mmdebstrapLine(['--buildkit', '--mode', 'root'])).toContain(' --skip=chroot/mount ');
  });
});
