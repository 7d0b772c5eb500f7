// Debian version ordering against dpkg itself: hand-picked pairs (epochs, tildes,
// letters against other characters, revisions, leading zeros) and random ones.
import { spawnSync } from 'node:child_process';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, satisfiesRelation } from '../src/archive/version.js';

/** dpkg's verdict for each pair: -1, 0 or 1, from one shell loop. */
function dpkg(pairs: readonly (readonly [string, string])[]): number[] {
  const input = pairs.map(([a, b]) => `${a} ${b}\n`).join('');
  const script = 'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const r = spawnSync('bash', ['-c', script], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dpkg --compare-versions failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map(Number);
}

const sign = (n: number) => Math.sign(n);

const TRICKY: [string, string][] = [
  ['1.0', '1.0'],
  ['1.0', '1.0-0'],
  ['1.0-1', '1.0-1'],
  ['1:1.0', '2.0'],
  ['0:1.0', '1.0'],
  ['1:0.9', '0:5.0'],
  ['10:1', '9:2'],
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0~', '1.0'],
  ['1.0~rc1-1', '1.0-1'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'],
  ['1.0+', '1.0.'],
  ['1.0.', '1.0-'],
  ['1.0a', '1.0A'],
  ['1.0Z', '1.0a'],
  ['1.0', '1.0.0'],
  ['1.01', '1.1'],
  ['1.001', '1.1'],
  ['1.10', '1.9'],
  ['1.0-1', '1.0-1.1'],
  ['1.0-1~bpo1', '1.0-1'],
  ['1.0-1+deb12u1', '1.0-1'],
  ['2.36-9+deb12u9', '2.36-9+deb12u10'],
  ['3.0.15-1~deb12u1', '3.0.15-1'],
  ['1:2.38.1-5+deb12u3', '2.38.1-5+deb12u4'],
  ['1.2-3-4', '1.2-3'],
  ['1.2-3-4', '1.2-3-5'],
  ['a', 'b'],
  ['1.0+dfsg', '1.0'],
  ['1.0+dfsg', '1.0~dfsg'],
  ['2.0', '10.0'],
  ['99999999999999999999', '100000000000000000000'],
  ['1.0-0ubuntu1', '1.0-0ubuntu0.1'],
  ['7.4.052-1ubuntu3.1', '7.4.052-1ubuntu3'],
  ['1:1.2.13.dfsg-1', '1:1.2.13.dfsg-1+b1'],
  ['0.0.0', '0'],
  ['1.0:1', '1.0'],
];

describe('compareVersions', () => {
  it('orders the tricky pairs as dpkg --compare-versions does', () => {
    const expected = dpkg(TRICKY);
    const got = TRICKY.map(([a, b]) => sign(compareVersions(a, b)));
    const wrong = TRICKY.filter((_, i) => got[i] !== expected[i]).map(([a, b], i) => `${a} vs ${b}`);
    expect(wrong).toEqual([]);
    expect(got).toEqual(expected);
  });

  // Versions built from the characters that matter: digits, letters of both cases,
  // . + ~ and, in the upstream part, - and :.
  const part = (chars: string) => fc.stringMatching(new RegExp(`^[0-9][${chars}]{0,6}$`));
  const version = fc
    .tuple(fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), part('0-9a-zA-Z.+~'), fc.option(part('0-9a-zA-Z.+~'), { nil: undefined }))
    .map(([epoch, upstream, revision]) => `${epoch === undefined ? '' : `${epoch}:`}${upstream}${revision === undefined ? '' : `-${revision}`}`);

  // Pairs that differ a little (one character changed, or a suffix added) find more than unrelated ones.
  const near = fc
    .tuple(version, fc.nat(), fc.constantFrom(...'0123456789aZz.+~'), fc.constantFrom('', '~', '+1', '.0', 'a', '~rc1', '-1'))
    .map(([a, at, c, suffix]) => {
      // Past the epoch and the upstream's first digit, so both versions stay valid.
      const from = a.indexOf(':') + 2;
      const i = from + (at % Math.max(1, a.length - from));
      const changed = i >= a.length || a[i] === '-' ? a : `${a.slice(0, i)}${c}${a.slice(i + 1)}`;
      return [a, /-/.test(changed) && suffix === '-1' ? changed : `${changed}${suffix}`] as const;
    });
  const pair = fc.oneof(fc.tuple(version, version), near);

  it('agrees with dpkg on random versions (a property, checked in batches)', () => {
    fc.assert(
      fc.property(fc.array(pair, { minLength: 60, maxLength: 60 }), (pairs) => {
        const expected = dpkg(pairs);
        return pairs.every(([a, b], i) => sign(compareVersions(a, b)) === expected[i]);
      }),
      { numRuns: 3, seed: 25, endOnFailure: true },
    );
  });

  it('is a total order: antisymmetric, and sorting agrees with every pairwise comparison', () => {
    fc.assert(
      fc.property(fc.array(version, { minLength: 2, maxLength: 30 }), (list) => {
        const sorted = [...list].sort(compareVersions);
        for (let i = 0; i + 1 < sorted.length; i++) if (compareVersions(sorted[i]!, sorted[i + 1]!) > 0) return false;
        return list.every((a) => list.every((b) => sign(compareVersions(a, b)) === -sign(compareVersions(b, a))));
      }),
    );
  });

  it('reads dependency relations', () => {
    expect(satisfiesRelation('2.36-9+deb12u10', '>=', '2.36')).toBe(true);
    expect(satisfiesRelation('1.0~rc1', '>>', '1.0')).toBe(false);
    expect(satisfiesRelation('1:1.0', '<<', '2.0')).toBe(false);
    expect(satisfiesRelation('1.0', '=', '1.0-0')).toBe(true);
    expect(satisfiesRelation('1.0', '<=', '1.0')).toBe(true);
  });
});
