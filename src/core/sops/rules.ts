/** The selection rules stored in the sops metadata: which leaves are encrypted. */
import { SopsError } from './errors';
import { translateRe2 } from './re2';

export interface SelectionRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
  macOnlyEncrypted?: boolean;
}

export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';

/** sops accepts at most one of the suffix/regex rules; with none, unencrypted_suffix applies. */
export function normalizeRules(r: SelectionRules): SelectionRules {
  const set = [
    r.unencryptedSuffix,
    r.encryptedSuffix,
    r.unencryptedRegex,
    r.encryptedRegex,
    r.unencryptedCommentRegex,
    r.encryptedCommentRegex,
  ].filter((v) => v !== undefined && v !== '');
  if (set.length > 1) {
    throw new SopsError(
      'malformed',
      'Only one of unencrypted_suffix, encrypted_suffix, unencrypted_regex, encrypted_regex, unencrypted_comment_regex and encrypted_comment_regex may be set.',
    );
  }
  const out: SelectionRules = { ...r };
  if (set.length === 0) out.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  return out;
}

export type Selector = (path: readonly string[]) => boolean;

function regexOrThrow(pattern: string, field: string): RegExp {
  const r = translateRe2(pattern);
  if (!r.ok) throw new SopsError('bad-regex', `${field} "${pattern}": ${r.error}`);
  return r.regex;
}

/** Builds the predicate "is a leaf at this key path encrypted" (sops' shouldBeEncrypted). */
export function makeSelector(rules: SelectionRules): Selector {
  if (rules.unencryptedCommentRegex || rules.encryptedCommentRegex) {
    throw new SopsError(
      'unsupported',
      'unencrypted_comment_regex / encrypted_comment_regex are not supported by the native engine; use the sops CLI engine.',
    );
  }
  const { unencryptedSuffix: us, encryptedSuffix: es } = rules;
  const ur = rules.unencryptedRegex ? regexOrThrow(rules.unencryptedRegex, 'unencrypted_regex') : undefined;
  const er = rules.encryptedRegex ? regexOrThrow(rules.encryptedRegex, 'encrypted_regex') : undefined;
  return (path) => {
    let enc = true;
    if (us && path.some((k) => k.endsWith(us))) enc = false;
    if (es) enc = path.some((k) => k.endsWith(es));
    if (ur && path.some((k) => ur.test(k))) enc = false;
    if (er) enc = path.some((k) => er.test(k));
    return enc;
  };
}
