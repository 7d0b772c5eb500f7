// Hostile strings for the property tests: shell metacharacters and command payloads
// that would leave a canary file behind if any reached a shell unquoted.
import fc from 'fast-check';

/** The file a payload creates in the working directory (and in /tmp) if it runs. */
export const CANARY = 'PWNED';
export const TMP_CANARY = `/tmp/mkimage-gen-${CANARY}`;

/** Payloads: each runs `touch` if a shell evaluates it in some context. */
export const PAYLOADS = [
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `'; touch ${CANARY}; '`,
  `"; touch ${CANARY}; "`,
  `'"$(touch ${CANARY})"'`,
  `\ntouch ${CANARY}\n`,
  `; touch ${CANARY}`,
  `| touch ${CANARY}`,
  `&& touch ${CANARY}`,
  `|| touch ${CANARY}`,
  `& touch ${CANARY} &`,
  `>${CANARY}`,
  `>>${CANARY}`,
  `$(touch ${TMP_CANARY})`,
  `<(touch ${CANARY})`,
  `\${x:-$(touch ${CANARY})}`,
  `$'\\x27'; touch ${CANARY}`,
  `\\'; touch ${CANARY}; #`,
  `\r\ntouch ${CANARY}`,
  `%{ if true }$(touch ${CANARY})%{ endif }`,
  `\${jndi:x}$(touch ${CANARY})`,
] as const;

/** Characters and words that mean something to bash, Dockerfiles, HCL, apt or YAML. */
const PIECES = [
  '$', '$$', '${', '}', '%{', '`', "'", '"', '\\', '\n', '\r', '\t', '\0', '\x1b[31m', '\x7f',
  ';', '|', '&', '>', '<', '(', ')', '{', '}', '[', ']', '*', '?', '~', '!', '#', '^', '=', ',', ':', '@', '%', '+',
  ' ', '  ', '-', '--', '-rf', '--help', '/', '..', '../', '/etc/passwd', '$HOME', '$IFS', '$((1+1))', '!!',
  '*.deb', '[a-z]*', '{a,b}', 'a\\', 'é', '日本語', 'ß', '\u202e', '\u2028', '\ufeff', '🙂', '\ud800', 'İ',
  'deb http://x.example/ sid main', 'RUN touch /x', '\nENV X=1', 'main', 'ja_JP.UTF-8', 'Asia/Tokyo',
] as const;

/** A string made of hostile pieces and payloads. */
const pieced = fc.array(fc.constantFrom<string>(...PIECES, ...PAYLOADS), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));

/** Any string at all, including lone surrogates and control characters. */
const anyString = fc.string({ unit: 'binary', maxLength: 40 });

/** Very long values: near the limits of names and tags, and far past them. */
const long = fc
  .tuple(fc.constantFrom('a', 'x-', '9.', '$(', '/'), fc.integer({ min: 100, max: 20_000 }), fc.constantFrom<string>('', ...PAYLOADS))
  .map(([unit, count, tail]) => unit.repeat(Math.ceil(count / unit.length)).slice(0, count) + tail);

/**
 * Hostile variants of a field's valid examples: a valid value with hostile text put in
 * at some position, so that near-misses (which a loose check would let through) come up.
 */
function nearValid(examples: readonly string[]) {
  return fc
    .tuple(fc.constantFrom(...examples), pieced, fc.nat())
    .map(([valid, bad, at]) => {
      const i = at % (valid.length + 1);
      return valid.slice(0, i) + bad + valid.slice(i);
    });
}

/** Odd but harmless variants of valid values, so that values with unusual characters are also accepted and rendered. */
function oddButValid(examples: readonly string[], extras: readonly string[]) {
  return fc.tuple(fc.constantFrom(...examples), fc.array(fc.constantFrom(...extras), { maxLength: 3 })).map(([v, e]) => v + e.join(''));
}

/** Strings for one field: mostly hostile, some valid-looking, so both outcomes are tested. */
export function hostileFor(examples: readonly string[], extras: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: pieced },
    { weight: 4, arbitrary: nearValid(examples) },
    { weight: 2, arbitrary: anyString },
    { weight: 1, arbitrary: long },
    { weight: 2, arbitrary: extras.length > 0 ? oddButValid(examples, extras) : fc.constantFrom(...examples) },
  );
}
