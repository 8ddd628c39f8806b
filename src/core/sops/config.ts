/** `.sops.yaml`: the nearest one at or above a file (up to the workspace root) and its creation rules. */
import * as nodePath from 'node:path';
import { SopsError } from './errors';
import { translateRe2 } from './re2';
import type { SelectionRules } from './rules';

export interface SopsFs {
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
}

export interface CreationRule {
  pathRegex?: string;
  age: string[];
  /** Key types other than age in the rule (pgp, kms, …): the native engine cannot encrypt for them. */
  otherKeyTypes: string[];
  keyGroups: number;
  rules: SelectionRules;
  /** Index of the rule in creation_rules. */
  index: number;
}

export interface SopsConfig {
  /** Absolute path of the .sops.yaml. */
  path: string;
  dir: string;
  creationRules: CreationRule[];
  /** stores.yaml.indent / stores.json.indent, when set. */
  yamlIndent?: number;
  jsonIndent?: number;
}

const OTHER_KEYS = ['pgp', 'kms', 'gcp_kms', 'azure_keyvault', 'hc_vault_transit_uri', 'hckms'];

function listOf(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter((x) => x !== '');
  return String(v)
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** Parses .sops.yaml text. Regexes are checked here so a bad one is reported early. */
export function parseSopsConfig(text: string, configPath: string): SopsConfig {
  // Loaded here, not at the top: the repository model reads rules through sopsConfigOf and scans
  // most repositories without ever loading the yaml package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml') as typeof import('yaml');
  const doc = YAML.parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0)
    throw new SopsError('parse', `${configPath}: invalid YAML: ${doc.errors[0]?.message ?? ''}`);
  return sopsConfigOf(doc.toJS() ?? {}, configPath);
}

/**
 * The configuration of a parsed .sops.yaml (the repository model parses it with the other YAML
 * files): the one reader of creation rules for the model and the SOPS engine.
 */
export function sopsConfigOf(value: unknown, configPath: string): SopsConfig {
  const raw = value as Record<string, unknown>;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new SopsError('parse', `${configPath}: not a mapping`);
  const rulesRaw = raw.creation_rules;
  const creationRules: CreationRule[] = [];
  if (rulesRaw !== undefined && rulesRaw !== null) {
    if (!Array.isArray(rulesRaw)) throw new SopsError('parse', `${configPath}: creation_rules is not a list`);
    rulesRaw.forEach((r: unknown, index) => {
      const o = (r ?? {}) as Record<string, unknown>;
      const str = (k: string): string | undefined =>
        typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined;
      const pathRegex = str('path_regex');
      if (pathRegex !== undefined) {
        const t = translateRe2(pathRegex);
        if (!t.ok)
          throw new SopsError(
            'bad-regex',
            `${configPath}: creation rule ${index + 1}: path_regex "${pathRegex}": ${t.error}`,
          );
      }
      for (const field of ['encrypted_regex', 'unencrypted_regex']) {
        const v = str(field);
        if (v !== undefined) {
          const t = translateRe2(v);
          if (!t.ok)
            throw new SopsError(
              'bad-regex',
              `${configPath}: creation rule ${index + 1}: ${field} "${v}": ${t.error}`,
            );
        }
      }
      let age = listOf(o.age);
      const other = OTHER_KEYS.filter((k) => listOf(o[k]).length > 0);
      let keyGroups = 0;
      if (Array.isArray(o.key_groups)) {
        keyGroups = o.key_groups.length;
        for (const g of o.key_groups as Record<string, unknown>[]) {
          age = age.concat(listOf(g?.age));
          for (const k of ['pgp', 'kms', 'gcp_kms', 'azure_keyvault', 'hc_vault', 'hckms'])
            if (listOf(g?.[k]).length > 0) other.push(k);
        }
      }
      creationRules.push({
        pathRegex,
        age,
        otherKeyTypes: other,
        keyGroups,
        index,
        rules: {
          unencryptedSuffix: str('unencrypted_suffix'),
          encryptedSuffix: str('encrypted_suffix'),
          unencryptedRegex: str('unencrypted_regex'),
          encryptedRegex: str('encrypted_regex'),
          unencryptedCommentRegex: str('unencrypted_comment_regex'),
          encryptedCommentRegex: str('encrypted_comment_regex'),
          macOnlyEncrypted: o.mac_only_encrypted === true,
        },
      });
    });
  }
  const stores = (raw.stores ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const yi = stores.yaml?.indent;
  const ji = stores.json?.indent;
  return {
    path: configPath,
    dir: nodePath.dirname(configPath),
    creationRules,
    yamlIndent: typeof yi === 'number' ? yi : undefined,
    jsonIndent: typeof ji === 'number' ? ji : undefined,
  };
}

function isInside(child: string, parent: string): boolean {
  const rel = nodePath.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

/**
 * The nearest `.sops.yaml` at or above `filePath`'s folder, not above `root`. (`.sops.yml` is
 * ignored, as sops does.) Returns undefined when there is none.
 */
export async function findSopsConfig(
  filePath: string,
  root: string,
  fs: SopsFs,
): Promise<SopsConfig | undefined> {
  const absRoot = nodePath.resolve(root);
  let dir = nodePath.dirname(nodePath.resolve(filePath));
  if (!isInside(dir, absRoot)) return undefined;
  for (;;) {
    const candidate = nodePath.join(dir, '.sops.yaml');
    if (await fs.exists(candidate)) return parseSopsConfig(await fs.readFile(candidate), candidate);
    if (dir === absRoot) return undefined;
    const up = nodePath.dirname(dir);
    if (up === dir || !isInside(up, absRoot)) return undefined;
    dir = up;
  }
}

/** The file's path relative to the config's folder, with forward slashes (what path_regex sees). */
export function relativeForRules(filePath: string, config: SopsConfig): string {
  return nodePath.relative(config.dir, nodePath.resolve(filePath)).split(nodePath.sep).join('/');
}

/** The first creation rule whose path_regex matches (a rule without path_regex matches everything). */
export function matchCreationRule(filePath: string, config: SopsConfig): CreationRule {
  const rule = findCreationRule(filePath, config);
  if (rule) return rule;
  const rel = relativeForRules(filePath, config);
  throw new SopsError('no-rule', `No creation rule in ${config.path} matches "${rel}".`);
}

/** The first creation rule that matches the file, or undefined when none does. */
export function findCreationRule(filePath: string, config: SopsConfig): CreationRule | undefined {
  const rel = relativeForRules(filePath, config);
  for (const rule of config.creationRules) {
    if (rule.pathRegex === undefined) return rule;
    const t = translateRe2(rule.pathRegex);
    if (!t.ok) throw new SopsError('bad-regex', `${config.path}: path_regex "${rule.pathRegex}": ${t.error}`);
    if (t.regex.test(rel)) return rule;
  }
  return undefined;
}

/**
 * Advice about a creation rule that sops accepts but that is probably a mistake for Flux:
 * an encrypted_regex (or unencrypted_regex) that would encrypt the fields Flux and Kubernetes
 * need in plaintext (apiVersion, kind, metadata).
 */
export function creationRuleWarnings(rule: CreationRule): string[] {
  const warnings: string[] = [];
  const plainFields = ['apiVersion', 'kind', 'metadata'];
  if (rule.rules.encryptedRegex) {
    const t = translateRe2(rule.rules.encryptedRegex);
    if (t.ok) {
      const hit = plainFields.filter((f) => t.regex.test(f));
      if (hit.length > 0) {
        warnings.push(
          `encrypted_regex "${rule.rules.encryptedRegex}" also matches ${hit.join(', ')}, which must stay plaintext for Flux; anchor it, e.g. ^(data|stringData)$.`,
        );
      }
    }
  } else if (!rule.rules.unencryptedRegex && !rule.rules.encryptedSuffix && !rule.rules.unencryptedSuffix) {
    warnings.push(
      'The rule encrypts every value, including apiVersion, kind and metadata; Flux users set encrypted_regex: ^(data|stringData)$.',
    );
  }
  return warnings;
}
