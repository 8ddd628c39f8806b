/** The `sops` metadata block: reading it from a parsed file and writing a new one. */
import YAML from 'yaml';
import { SopsError } from './errors';
import { normalizeRules, type SelectionRules } from './rules';
import type { AgeStanza } from './age';

export const SOPS_VERSION = '3.13.2';

export interface SopsMetadata {
  age: AgeStanza[];
  /** Key types present that the native engine cannot use (pgp, kms, …). */
  otherKeyTypes: string[];
  keyGroups: number;
  lastmodified: string;
  mac: string;
  version: string;
  rules: SelectionRules;
}

const OTHER_KEY_TYPES = ['pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'];

function str(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new SopsError('malformed', `sops metadata: ${field} is missing or not a string`);
}

function ageList(v: unknown): AgeStanza[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SopsError('malformed', 'sops metadata: age is not a list');
  return v.map((e: unknown) => {
    const o = e as Record<string, unknown> | null;
    if (!o || typeof o !== 'object') throw new SopsError('malformed', 'sops metadata: bad age entry');
    return { recipient: str(o.recipient, 'age.recipient'), enc: str(o.enc, 'age.enc') };
  });
}

/** Reads the metadata from the plain JS value of the `sops` key. */
export function parseMetadata(raw: unknown): SopsMetadata {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new SopsError('malformed', 'sops metadata is not a mapping');
  const m = raw as Record<string, unknown>;
  let age = ageList(m.age);
  const other = OTHER_KEY_TYPES.filter((k) => Array.isArray(m[k]) && (m[k] as unknown[]).length > 0);
  let keyGroups = 0;
  if (Array.isArray(m.key_groups) && m.key_groups.length > 0) {
    keyGroups = m.key_groups.length;
    if (keyGroups > 1) {
      throw new SopsError(
        'unsupported',
        'Files with several key groups (Shamir secret sharing) need the sops CLI engine.',
      );
    }
    const g = m.key_groups[0] as Record<string, unknown>;
    age = age.concat(ageList(g?.age));
    for (const k of OTHER_KEY_TYPES)
      if (Array.isArray(g?.[k]) && (g[k] as unknown[]).length > 0) other.push(k);
  }
  const version = str(m.version, 'version');
  if (!/^\d+\.\d+(\.\d+)?/.test(version))
    throw new SopsError('malformed', `sops metadata: version "${version}" is not valid`);
  const optional = (k: string): string | undefined =>
    typeof m[k] === 'string' && m[k] !== '' ? (m[k] as string) : undefined;
  const rules = normalizeRules({
    unencryptedSuffix: optional('unencrypted_suffix'),
    encryptedSuffix: optional('encrypted_suffix'),
    unencryptedRegex: optional('unencrypted_regex'),
    encryptedRegex: optional('encrypted_regex'),
    unencryptedCommentRegex: optional('unencrypted_comment_regex'),
    encryptedCommentRegex: optional('encrypted_comment_regex'),
    macOnlyEncrypted: m.mac_only_encrypted === true,
  });
  return {
    age,
    otherKeyTypes: other,
    keyGroups,
    lastmodified: str(m.lastmodified, 'lastmodified'),
    mac: str(m.mac, 'mac'),
    version,
    rules,
  };
}

function ruleEntries(rules: SelectionRules): [string, string | boolean][] {
  const out: [string, string | boolean][] = [];
  if (rules.unencryptedSuffix) out.push(['unencrypted_suffix', rules.unencryptedSuffix]);
  if (rules.encryptedSuffix) out.push(['encrypted_suffix', rules.encryptedSuffix]);
  if (rules.unencryptedRegex) out.push(['unencrypted_regex', rules.unencryptedRegex]);
  if (rules.encryptedRegex) out.push(['encrypted_regex', rules.encryptedRegex]);
  if (rules.macOnlyEncrypted) out.push(['mac_only_encrypted', true]);
  return out;
}

export interface NewMetadata {
  age: AgeStanza[];
  lastmodified: string;
  mac: string;
  rules: SelectionRules;
}

/** The metadata as sops 3.13 orders it (keys sorted), as a plain object (for JSON). */
export function metadataObject(md: NewMetadata): Record<string, unknown> {
  const o: Record<string, unknown> = {
    age: md.age.map((a) => ({ enc: a.enc, recipient: a.recipient })),
    lastmodified: md.lastmodified,
    mac: md.mac,
  };
  for (const [k, v] of ruleEntries(md.rules)) o[k] = v;
  o.version = SOPS_VERSION;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) sorted[k] = o[k];
  return sorted;
}

/** A YAML scalar for metadata strings: plain when safe, otherwise quoted (eemeli decides). */
function yamlScalar(s: string): string {
  const out = YAML.stringify(s, { lineWidth: 0 }).replace(/\n$/, '');
  return out.includes('\n') ? JSON.stringify(s) : out;
}

/** The YAML `sops:` block (ending with a newline), laid out like yaml.v3 with the given indent. */
export function metadataYaml(md: NewMetadata, indent: number): string {
  const I = ' '.repeat(indent);
  const obj = metadataObject(md);
  let out = 'sops:\n';
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'age') {
      out += `${I}age:\n`;
      for (const a of md.age) {
        const contentIndent = ' '.repeat(2 * indent + 4);
        out += `${I}${I}- enc: |\n`;
        for (const line of a.enc.replace(/\n$/, '').split('\n')) out += `${contentIndent}${line}\n`;
        out += `${I}${I}  recipient: ${a.recipient}\n`;
      }
    } else if (k === 'lastmodified') out += `${I}lastmodified: "${String(v)}"\n`;
    else if (typeof v === 'boolean') out += `${I}${k}: ${v}\n`;
    else out += `${I}${k}: ${yamlScalar(String(v))}\n`;
  }
  return out;
}
