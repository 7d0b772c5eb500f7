// Read values back out of rendered Dockerfiles and HCL the way their tools would, so a
// test can tell that a value arrives as the same literal text and expands to nothing.

/**
 * A Dockerfile double-quoted word as BuildKit's word lexer reads it: \ before ", $ or \
 * escapes it, any other \ stays; an unescaped $ would expand a variable (an error here).
 */
export function decodeDockerfileWord(word: string): string {
  if (word.length < 2 || !word.startsWith('"') || !word.endsWith('"')) throw new Error(`not a double-quoted word: ${word}`);
  const body = word.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length && '"$\\'.includes(body[i + 1]!)) {
      out += body[++i];
    } else if (c === '$') {
      throw new Error(`unescaped $ at ${i}: the builder would expand it`);
    } else if (c === '"') {
      throw new Error(`unescaped " at ${i}: the word would end early`);
    } else {
      out += c;
    }
  }
  return out;
}

const HCL_SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** The string literals of an HCL file, decoded; a bare ${ or %{ inside one is an error. */
export function decodeHclStrings(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) {
    const body = match[1]!;
    let value = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '\\') {
        const next = body[++i]!;
        if (next === 'u') {
          value += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
          i += 4;
        } else if (next in HCL_SIMPLE_ESCAPES) {
          value += HCL_SIMPLE_ESCAPES[next];
        } else {
          throw new Error(`HCL has no escape \\${next}`);
        }
      } else if ((c === '$' || c === '%') && body[i + 1] === c && body[i + 2] === '{') {
        value += `${c}{`;
        i += 2;
      } else if ((c === '$' || c === '%') && body[i + 1] === '{') {
        throw new Error(`bare ${c}{ in "${body}": HCL would interpolate it`);
      } else {
        value += c;
      }
    }
    out.push(value);
  }
  return out;
}
