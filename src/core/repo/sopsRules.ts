/** The creation rules of a `.sops.yaml`, enough to tell whether a file is meant to be encrypted. */
import { translateRe2 } from '../sops/re2';

export interface SopsCreationRule {
  /** null: the rule has no path_regex and matches every file. */
  pathRegex: RegExp | null;
  source: string;
}

/** Translates an RE2 pattern to JavaScript, or returns null when the meaning could differ. */
export function re2ToRegExp(pattern: string): RegExp | null {
  const r = translateRe2(pattern);
  return r.ok ? r.regex : null;
}

/** Reads creation_rules from a parsed `.sops.yaml`; rules with untranslatable regexes are dropped. */
export function parseSopsConfig(raw: unknown): SopsCreationRule[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const rules = (raw as Record<string, unknown>).creation_rules;
  if (!Array.isArray(rules)) return [];
  const out: SopsCreationRule[] = [];
  for (const r of rules) {
    if (!r || typeof r !== 'object') continue;
    const pr = (r as Record<string, unknown>).path_regex;
    if (typeof pr !== 'string' || pr === '') {
      out.push({ pathRegex: null, source: '' });
      continue;
    }
    const re = re2ToRegExp(pr);
    if (re) out.push({ pathRegex: re, source: pr });
  }
  return out;
}

/** The first creation rule matching a path relative to the `.sops.yaml` folder (forward slashes). */
export function matchingSopsRule(rules: SopsCreationRule[], relPath: string): SopsCreationRule | null {
  for (const r of rules) if (!r.pathRegex || r.pathRegex.test(relPath)) return r;
  return null;
}
