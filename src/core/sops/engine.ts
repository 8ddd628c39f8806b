/**
 * The native SOPS engine for age recipients: decrypt (MAC verified), encrypt (new data key) and
 * re-encrypt after an edit (same data key; unchanged values keep their ciphertext and IV).
 * Works on strings only: nothing is written to disk here.
 */
import { randomBytes } from 'node:crypto';
import { unwrapDataKey, wrapDataKey } from './age';
import {
  MacHasher,
  decryptLeaf,
  decryptMac,
  encryptLeaf,
  encryptMac,
  looksEncrypted,
  nowRfc3339,
  type PlainLeaf,
} from './cipher';
import {
  analyze,
  applyEdits,
  flattenMetadata,
  renderEnc,
  renderPlain,
  slotEdit,
  type Analysis,
  type Edit,
  type StoreFormat,
} from './document';
import { SopsError } from './errors';
import { metadataObject, metadataYaml, parseMetadata, type SopsMetadata } from './metadata';
import { makeSelector, normalizeRules, type SelectionRules } from './rules';

export interface EncryptSpec {
  /** age recipients (age1…). */
  age: string[];
  rules: SelectionRules;
}

export interface DecryptResult {
  plaintext: string;
  metadata: SopsMetadata;
}

interface Decrypted {
  plaintext: string;
  metadata: SopsMetadata;
  key: Uint8Array;
  stash: Map<string, string>;
  an: Analysis;
}

const aadOf = (path: readonly string[]): string => `${path.join(':')}:`;
const stashKey = (aad: string, leaf: PlainLeaf): string => `${aad}\u0000${leaf.type}\u0000${leaf.text}`;
/**
 * The original ciphertext of an unchanged value. A whole number that an older sops stored as a
 * float (JSON numbers before 3.10) counts as unchanged: both hash the same digits into the MAC.
 */
function reuse(stash: Map<string, string> | undefined, aad: string, leaf: PlainLeaf): string | undefined {
  if (!stash) return undefined;
  const same = stash.get(stashKey(aad, leaf));
  if (same !== undefined || leaf.type !== 'int') return same;
  return stash.get(stashKey(aad, { type: 'float', text: leaf.text }));
}

const commentKey = (text: string): string => `#comment\u0000${text}`;

/** Whether a text carries sops metadata (a quick check, no parsing of values). */
export function hasSopsMetadata(text: string, format: StoreFormat): boolean {
  if (format === 'json') return /"sops"\s*:\s*\{/.test(text) && /"mac"\s*:/.test(text);
  if (format === 'dotenv') return /^sops_mac=/m.test(text);
  return /^sops:[ \t]*(#.*)?\r?$/m.test(text) && /^[ \t]+mac:/m.test(text);
}

export type IdentitySource = () => Promise<string[]>;

export class NativeSopsEngine {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async decrypt(text: string, format: StoreFormat, identities: IdentitySource): Promise<DecryptResult> {
    const d = await this.decryptInternal(text, format, identities);
    return { plaintext: d.plaintext, metadata: d.metadata };
  }

  private async decryptInternal(
    text: string,
    format: StoreFormat,
    identities: IdentitySource,
  ): Promise<Decrypted> {
    const an = analyze(text, format);
    const first = an.docs[0]?.sops;
    if (!first) throw new SopsError('not-sops', 'This is not a SOPS-encrypted file (no sops metadata).');
    const metadata = parseMetadata(first.raw);
    if (metadata.age.length === 0) {
      throw new SopsError(
        'unsupported',
        `This file is encrypted for ${metadata.otherKeyTypes.join(', ') || 'no'} keys, not age; use the sops CLI engine.`,
      );
    }
    const key = await unwrapDataKey(metadata.age, await identities());
    const select = makeSelector(metadata.rules);
    const macOnly = Boolean(metadata.rules.macOnlyEncrypted);
    const hasher = new MacHasher(macOnly);
    const stash = new Map<string, string>();
    const edits: Edit[] = [];

    for (const slot of an.values) {
      if (!slot.leaf) continue;
      const encrypted = select(slot.path);
      let plain: PlainLeaf = slot.leaf;
      if (encrypted) {
        const where = slot.path.join(':');
        if (slot.leaf.type !== 'str')
          throw new SopsError(
            'malformed',
            `Expected an encrypted value at ${where}, found a ${slot.leaf.type}.`,
          );
        if (slot.leaf.text !== '') {
          if (!looksEncrypted(slot.leaf.text))
            throw new SopsError('malformed', `The value at ${where} is not an ENC[…] value.`);
          const aad = aadOf(slot.path);
          try {
            plain = decryptLeaf(slot.leaf.text, key, aad);
          } catch (e) {
            if (e instanceof SopsError) throw new SopsError(e.code, `${e.message} (at ${where})`);
            throw e;
          }
          stash.set(stashKey(aad, plain), slot.leaf.text);
          edits.push(slotEdit(text, slot, renderPlain(plain, slot, an)));
        }
      }
      if (!macOnly || encrypted) hasher.add(plain.text);
    }

    for (const c of an.comments) {
      if (!looksEncrypted(c.text)) continue;
      // The GCM tag authenticates the path, so trying every plausible one is safe.
      for (const path of [c.path, ...c.alt]) {
        const aad = aadOf(path);
        try {
          const plain = decryptLeaf(c.text, key, aad);
          if (plain.type !== 'comment') break;
          stash.set(commentKey(plain.text), c.text);
          edits.push({ start: c.start, end: c.end, text: `#${plain.text}` });
          break;
        } catch {
          /* try the next plausible path; like sops, an undecryptable comment is kept as it is */
        }
      }
    }

    let stored: string;
    try {
      stored = decryptMac(metadata.mac, key, metadata.lastmodified);
    } catch {
      throw new SopsError(
        'mac-mismatch',
        'MAC mismatch: the stored MAC cannot be decrypted (the sops metadata was changed).',
      );
    }
    if (stored !== hasher.hex()) {
      throw new SopsError(
        'mac-mismatch',
        'MAC mismatch: the file was changed outside sops, or it is corrupted.',
      );
    }
    for (const doc of an.docs) {
      if (!doc.sops) continue;
      edits.push({ start: doc.sops.removeStart, end: doc.sops.removeEnd, text: '' });
      for (const [start, end] of doc.sops.extraRemovals ?? []) edits.push({ start, end, text: '' });
    }
    return { plaintext: applyEdits(text, edits), metadata, key, stash, an };
  }

  async encrypt(text: string, format: StoreFormat, spec: EncryptSpec): Promise<string> {
    if (spec.age.length === 0) {
      throw new SopsError(
        'unsupported',
        'The creation rule has no age recipients; the native engine only encrypts for age.',
      );
    }
    const an = analyze(text, format);
    if (an.docs.some((d) => d.sops))
      throw new SopsError('already-encrypted', 'The file is already encrypted with SOPS.');
    const rules = normalizeRules(spec.rules);
    const key = new Uint8Array(randomBytes(32));
    const { edits, mac } = this.encryptLeaves(an, key, rules, undefined);
    const lastmodified = nowRfc3339(this.now());
    const macEnc = encryptMac(mac, key, lastmodified);
    const age = [];
    for (const recipient of spec.age) age.push({ recipient, enc: await wrapDataKey(key, recipient) });
    const md = { age, lastmodified, mac: macEnc, rules };
    const block =
      format === 'json'
        ? jsonMember(JSON.stringify(metadataObject(md), null, an.jsonIndent), an)
        : format === 'dotenv'
          ? flattenMetadata(metadataObject(md))
          : metadataYaml(md, an.indent);
    return applyEdits(text, [...edits, ...this.insertBlocks(an, block)]);
  }

  /**
   * Re-encrypts `edited` (a plaintext derived from decrypting `original`) with the data key of
   * `original`. Values and comments that did not change keep their exact ENC[…] text; the MAC and
   * lastmodified are renewed. If nothing changed, `original` is returned as it is.
   */
  async reencryptEdited(
    original: string,
    edited: string,
    format: StoreFormat,
    identities: IdentitySource,
  ): Promise<string> {
    const d = await this.decryptInternal(original, format, identities);
    if (edited === d.plaintext) return original;
    const an = analyze(edited, format);
    if (an.docs.some((doc) => doc.sops)) {
      throw new SopsError(
        'already-encrypted',
        'The edited text contains a sops metadata block; remove it before saving.',
      );
    }
    const { edits, mac } = this.encryptLeaves(an, d.key, d.metadata.rules, d.stash);
    const lastmodified = nowRfc3339(this.now());
    const macEnc = encryptMac(mac, d.key, lastmodified);
    const sops = d.an.docs[0]?.sops;
    if (!sops) throw new SopsError('not-sops', 'The original file has no sops metadata.');
    if (format === 'dotenv') {
      const lines = (sops.lines ?? []).map((l) => {
        const value = l.key === 'mac' ? macEnc : l.key === 'lastmodified' ? lastmodified : l.value;
        return `sops_${l.key}=${value.replace(/\n/g, '\\n')}`;
      });
      return applyEdits(edited, [...edits, ...this.insertBlocks(an, `${lines.join('\n')}\n`)]);
    }
    const blockEdits: Edit[] = [];
    const q = (s: string): string => JSON.stringify(s);
    const rel = (r: [number, number], t: string): Edit => ({
      start: r[0] - sops.blockStart,
      end: r[1] - sops.blockStart,
      text: t,
    });
    if (sops.mac) blockEdits.push(rel(sops.mac, format === 'json' ? q(macEnc) : macEnc));
    if (sops.lastmodified) blockEdits.push(rel(sops.lastmodified, q(lastmodified)));
    const blockText = applyEdits(original.slice(sops.blockStart, sops.blockEnd), blockEdits);
    const block = format === 'json' ? jsonMember(blockText.trim(), an, true) : blockText;
    return applyEdits(edited, [...edits, ...this.insertBlocks(an, block)]);
  }

  private encryptLeaves(
    an: Analysis,
    key: Uint8Array,
    rules: SelectionRules,
    stash: Map<string, string> | undefined,
  ): { edits: Edit[]; mac: string } {
    const select = makeSelector(rules);
    const macOnly = Boolean(rules.macOnlyEncrypted);
    const hasher = new MacHasher(macOnly);
    const edits: Edit[] = [];
    for (const slot of an.values) {
      if (!slot.leaf) continue;
      const encrypted = select(slot.path);
      if (!macOnly || encrypted) hasher.add(slot.leaf.text);
      if (!encrypted) continue;
      const aad = aadOf(slot.path);
      const enc = reuse(stash, aad, slot.leaf) ?? encryptLeaf(slot.leaf, key, aad);
      if (enc === '') continue;
      edits.push(slotEdit(an.src, slot, renderEnc(slot, enc)));
    }
    for (const c of an.comments) {
      // A comment that was encrypted before stays encrypted with its old ciphertext, even if this
      // engine would place it under a path that the rules leave in plaintext.
      const reused = stash?.get(commentKey(c.text));
      if (reused === undefined && !select(c.path)) continue;
      const enc = reused ?? encryptLeaf({ type: 'comment', text: c.text }, key, aadOf(c.path));
      if (enc !== '') edits.push({ start: c.start, end: c.end, text: `#${enc}` });
    }
    return { edits, mac: hasher.hex() };
  }

  private insertBlocks(an: Analysis, block: string): Edit[] {
    const edits: Edit[] = [];
    for (const doc of an.docs) {
      if (an.format === 'json') {
        edits.push(jsonInsert(an, doc.insertAt, block.replace(/\r?\n/g, an.eol), doc.emptyRoot));
        break;
      }
      const at = doc.insertAt;
      const prefix = at > 0 && an.src[at - 1] !== '\n' ? an.eol : '';
      edits.push({ start: at, end: at, text: prefix + block.replace(/\r?\n/g, an.eol) });
    }
    return edits;
  }
}

/** `"sops": {…}` indented one level inside the root object. */
function jsonMember(objectText: string, an: Analysis, already = false): string {
  if (already) return objectText;
  const body = objectText
    .split('\n')
    .map((l, i) => (i === 0 ? l : an.jsonIndent + l))
    .join('\n');
  return `"sops": ${body}`;
}

function jsonInsert(an: Analysis, close: number, member: string, empty: boolean): Edit {
  const src = an.src;
  if (empty) return { start: close, end: close, text: `${an.eol}${an.jsonIndent}${member}${an.eol}` };
  let j = close - 1;
  while (j >= 0 && /\s/.test(src[j] ?? '')) j--;
  return { start: j + 1, end: j + 1, text: `,${an.eol}${an.jsonIndent}${member}` };
}
