/**
 * RE2 (Go regexp) to JavaScript RegExp. Constructs that mean the same are passed through or
 * rewritten to an equivalent; anything JavaScript would read differently and that cannot be
 * rewritten safely is reported, never guessed.
 */

export type Re2Result = { ok: true; regex: RegExp; source: string } | { ok: false; error: string };

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
const SPACE_CLASS = '\\t\\n\\f\\r ';
const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

class Re2Unsupported extends Error {}

function escapeLiteral(c: string, inClass: boolean): string {
  if (inClass) return c === ']' || c === '\\' || c === '^' || c === '-' || c === '[' ? `\\${c}` : c;
  return JS_SYNTAX.has(c) ? `\\${c}` : c;
}

function hexEscape(code: number): string {
  if (code > 0xffff) throw new Re2Unsupported('code points above U+FFFF in \\x{…} are not translated');
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Translates one RE2 pattern. `flags` may contain i, m, s as leading `(?ims)` would. */
export function translateRe2(pattern: string): Re2Result {
  try {
    const out = translate(pattern);
    let regex: RegExp;
    try {
      regex = new RegExp(out.source, out.flags);
    } catch (e) {
      return { ok: false, error: `not a valid regular expression: ${(e as Error).message}` };
    }
    return { ok: true, regex, source: out.source };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

function translate(p: string): { source: string; flags: string } {
  let i = 0;
  let flags = '';
  // Leading flag group (?ims) applies to the whole pattern: the one place flags translate exactly.
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1] ?? '') {
      if (f === 'i' || f === 'm' || f === 's') {
        if (!flags.includes(f)) flags += f;
      } else if (f === 'U') throw new Re2Unsupported('the ungreedy flag (?U) has no JavaScript equivalent');
      else throw new Re2Unsupported(`unknown flag "${f}" in (?${lead[1]})`);
    }
    i = lead[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  let classStart = -1;
  let lastWasQuantifier = false;
  let atomBefore = false; // whether a repeatable atom precedes the current position

  const quantifierAt = (j: number): number => {
    // returns the length of a valid {n}, {n,}, {n,m} at j, or 0
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(j));
    if (!m) return 0;
    const n = Number(m[1]);
    const hi = m[3] ? Number(m[3]) : undefined;
    if (n > 1000 || (hi !== undefined && hi > 1000))
      throw new Re2Unsupported('repeat count above 1000 is invalid in RE2');
    if (hi !== undefined && hi < n) throw new Re2Unsupported(`invalid repeat count ${m[0]}`);
    return m[0].length;
  };

  while (i < p.length) {
    const c = p[i] as string;
    if (inClass) {
      if (c === ']' && i > classStart) {
        out += ']';
        inClass = false;
        i++;
        atomBefore = true;
        lastWasQuantifier = false;
        continue;
      }
      if (c === '[' && p[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i));
        if (!m) throw new Re2Unsupported('malformed POSIX class');
        const cls = POSIX_CLASSES[m[2] ?? ''];
        if (!cls) throw new Re2Unsupported(`unknown POSIX class [:${m[2]}:]`);
        if (m[1]) throw new Re2Unsupported('negated POSIX classes [:^…:] are not translated');
        out += cls;
        i += m[0].length;
        continue;
      }
      if (c === '\\') {
        const r = escapeSeq(i, true);
        out += r.text;
        i = r.next;
        continue;
      }
      out += escapeLiteral(c, true);
      i++;
      continue;
    }
    switch (c) {
      case '[': {
        inClass = true;
        out += '[';
        i++;
        if (p[i] === '^') {
          out += '^';
          i++;
        }
        classStart = i;
        if (p[i] === ']') {
          out += '\\]'; // a leading ] is literal in RE2; JavaScript would read [] as an empty class
          i++;
        }
        continue;
      }
      case '(': {
        if (p[i + 1] === '?') {
          const rest = p.slice(i + 2);
          if (rest.startsWith(':')) {
            out += '(?:';
            i += 3;
          } else if (/^P<[A-Za-z_][A-Za-z0-9_]*>/.test(rest)) {
            out += '(?<';
            i += 4; // "(?P<"
          } else if (/^<[A-Za-z_][A-Za-z0-9_]*>/.test(rest)) {
            out += '(?<';
            i += 3;
          } else if (/^[=!]|^<[=!]/.test(rest)) {
            throw new Re2Unsupported('look-around assertions are not RE2 syntax');
          } else if (/^[a-zA-Z-]+[:)]/.test(rest)) {
            throw new Re2Unsupported(
              'inline flags other than a leading (?ims) are not translated to JavaScript',
            );
          } else {
            throw new Re2Unsupported('unknown group syntax "(?"');
          }
        } else {
          out += '(';
          i++;
        }
        atomBefore = false;
        lastWasQuantifier = false;
        continue;
      }
      case ')':
        out += ')';
        i++;
        atomBefore = true;
        lastWasQuantifier = false;
        continue;
      case '*':
      case '+':
      case '?': {
        if (lastWasQuantifier && c !== '?')
          throw new Re2Unsupported(
            `nested repetition "${p.slice(i - 1, i + 1)}" (possessive quantifiers are not RE2)`,
          );
        if (lastWasQuantifier && c === '?') {
          // lazy modifier: same meaning in both
          if (p[i + 1] === '?' || p[i + 1] === '*' || p[i + 1] === '+')
            throw new Re2Unsupported('invalid nested repetition operator');
          out += '?';
          i++;
          lastWasQuantifier = false;
          atomBefore = false;
          continue;
        }
        if (!atomBefore) throw new Re2Unsupported(`missing argument to repetition operator "${c}"`);
        out += c;
        i++;
        lastWasQuantifier = true;
        continue;
      }
      case '{': {
        const len = quantifierAt(i);
        if (len > 0 && atomBefore) {
          if (lastWasQuantifier) throw new Re2Unsupported('invalid nested repetition operator');
          out += p.slice(i, i + len);
          i += len;
          lastWasQuantifier = true;
          continue;
        }
        out += '\\{'; // a literal brace in RE2
        i++;
        atomBefore = true;
        lastWasQuantifier = false;
        continue;
      }
      case '}':
        out += '\\}';
        i++;
        atomBefore = true;
        lastWasQuantifier = false;
        continue;
      case '\\': {
        const r = escapeSeq(i, false);
        out += r.text;
        i = r.next;
        atomBefore = r.atom;
        lastWasQuantifier = false;
        continue;
      }
      case '^':
      case '$':
      case '|':
        out += c;
        i++;
        atomBefore = false;
        lastWasQuantifier = false;
        continue;
      default:
        out += c === '/' ? '\\/' : c;
        i++;
        atomBefore = true;
        lastWasQuantifier = false;
    }
  }
  if (inClass) throw new Re2Unsupported('missing closing ]');
  return { source: out, flags };

  function escapeSeq(at: number, cls: boolean): { text: string; next: number; atom: boolean } {
    const e = p[at + 1];
    if (e === undefined) throw new Re2Unsupported('trailing backslash');
    const next = at + 2;
    switch (e) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return { text: `\\${e}`, next, atom: true };
      case 's':
        return { text: cls ? SPACE_CLASS : `[${SPACE_CLASS}]`, next, atom: true };
      case 'S':
        if (cls) throw new Re2Unsupported('\\S inside a character class is not translated');
        return { text: `[^${SPACE_CLASS}]`, next, atom: true };
      case 'b':
      case 'B':
        if (cls) throw new Re2Unsupported('\\b inside a character class is not RE2 syntax');
        return { text: `\\${e}`, next, atom: false };
      case 'A':
        if (cls) throw new Re2Unsupported('\\A inside a character class');
        if (multiline) throw new Re2Unsupported('\\A with the m flag has no JavaScript equivalent');
        return { text: '^', next, atom: false };
      case 'z':
        if (cls) throw new Re2Unsupported('\\z inside a character class');
        if (multiline) throw new Re2Unsupported('\\z with the m flag has no JavaScript equivalent');
        return { text: '$', next, atom: false };
      case 't':
      case 'n':
      case 'r':
      case 'f':
      case 'v':
        return { text: `\\${e}`, next, atom: true };
      case 'a':
        return { text: '\\x07', next, atom: true };
      case 'x': {
        const braced = /^\{([0-9A-Fa-f]+)\}/.exec(p.slice(next));
        if (braced)
          return {
            text: hexEscape(parseInt(braced[1] ?? '', 16)),
            next: next + braced[0].length,
            atom: true,
          };
        const two = /^[0-9A-Fa-f]{2}/.exec(p.slice(next));
        if (two) return { text: hexEscape(parseInt(two[0], 16)), next: next + 2, atom: true };
        throw new Re2Unsupported('malformed \\x escape');
      }
      case 'Q': {
        const end = p.indexOf('\\E', next);
        const lit = end < 0 ? p.slice(next) : p.slice(next, end);
        const text = [...lit].map((ch) => escapeLiteral(ch, cls)).join('');
        return { text: cls ? text : `(?:${text})`, next: end < 0 ? p.length : end + 2, atom: true };
      }
      case 'p':
      case 'P':
        throw new Re2Unsupported('Unicode classes \\p{…} are not translated');
      case 'C':
        throw new Re2Unsupported('\\C is not translated');
      default:
        if (/[0-9]/.test(e))
          throw new Re2Unsupported(`backreferences and octal escapes like \\${e} are not supported`);
        if (/[A-Za-z]/.test(e)) throw new Re2Unsupported(`\\${e} is not a valid RE2 escape`);
        return { text: escapeLiteral(e, cls), next, atom: true };
    }
  }
}

/** Compiles an RE2 pattern or throws an Error whose message names the pattern and the cause. */
export function compileRe2(pattern: string, what: string): RegExp {
  const r = translateRe2(pattern);
  if (!r.ok) throw new Error(`${what} "${pattern}": ${r.error}`);
  return r.regex;
}
