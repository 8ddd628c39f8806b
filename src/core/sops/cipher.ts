/**
 * SOPS value encryption: AES-256-GCM with a 32-byte IV and the path as additional data, written as
 * `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, and the SHA-512 MAC over the plaintext leaves.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SopsError } from './errors';

export type ValueType = 'str' | 'int' | 'float' | 'bool' | 'time' | 'comment' | 'bytes';

/** A typed plaintext leaf; `text` is its canonical byte form (what sops encrypts and hashes). */
export interface PlainLeaf {
  type: ValueType;
  text: string;
}

export interface EncValue {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}

const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]$/s;
const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export function looksEncrypted(value: string): boolean {
  return value.startsWith('ENC[AES256_GCM,');
}

function b64(field: string, s: string): Buffer {
  if (!B64_RE.test(s) || s.length % 4 !== 0)
    throw new SopsError('malformed', `Malformed ENC value: ${field} is not base64`);
  return Buffer.from(s, 'base64');
}

export function parseEnc(value: string): EncValue {
  const m = ENC_RE.exec(value);
  if (!m) throw new SopsError('malformed', `Malformed ENC value: ${value.slice(0, 40)}…`);
  const [, data, iv, tag, type] = m as unknown as [string, string, string, string, string];
  return { data: b64('data', data), iv: b64('iv', iv), tag: b64('tag', tag), type };
}

export function formatEnc(v: EncValue): string {
  return `ENC[AES256_GCM,data:${v.data.toString('base64')},iv:${v.iv.toString('base64')},tag:${v.tag.toString('base64')},type:${v.type}]`;
}

export function encryptRaw(plain: Buffer, key: Uint8Array, aad: string, type: string, iv?: Buffer): string {
  const nonce = iv ?? randomBytes(32);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([c.update(plain), c.final()]);
  return formatEnc({ data, iv: nonce, tag: c.getAuthTag(), type });
}

/** Decrypts an ENC value; throws SopsError('malformed') on a bad format or authentication failure. */
export function decryptRaw(value: string, key: Uint8Array, aad: string): { plain: Buffer; type: string } {
  const enc = parseEnc(value);
  if (enc.iv.length === 0 || enc.tag.length !== 16)
    throw new SopsError('malformed', 'Malformed ENC value: bad iv or tag');
  try {
    const d = createDecipheriv('aes-256-gcm', key, enc.iv);
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(enc.tag);
    const plain = Buffer.concat([d.update(enc.data), d.final()]);
    return { plain, type: enc.type };
  } catch {
    throw new SopsError(
      'malformed',
      `Could not decrypt value at "${aad}" (wrong data key or tampered value)`,
    );
  }
}

/** Encrypts a leaf. Empty strings and comments are returned as "" (sops leaves them unencrypted). */
export function encryptLeaf(leaf: PlainLeaf, key: Uint8Array, aad: string): string {
  if ((leaf.type === 'str' || leaf.type === 'comment') && leaf.text === '') return '';
  return encryptRaw(Buffer.from(leaf.text, 'utf8'), key, aad, leaf.type);
}

/** Decrypts a leaf and normalizes its text to the canonical form used by the MAC. */
export function decryptLeaf(value: string, key: Uint8Array, aad: string): PlainLeaf {
  if (value === '') return { type: 'str', text: '' };
  const { plain, type } = decryptRaw(value, key, aad);
  const s = plain.toString('utf8');
  switch (type) {
    case 'str':
    case 'comment':
    case 'time':
      return { type, text: s };
    case 'bytes':
      return { type: 'bytes', text: s };
    case 'int': {
      if (!/^[+-]?\d+$/.test(s)) throw new SopsError('malformed', `Malformed int value at "${aad}"`);
      return { type: 'int', text: BigInt(s).toString() };
    }
    case 'float': {
      const n = parseGoFloat(s);
      if (n === undefined) throw new SopsError('malformed', `Malformed float value at "${aad}"`);
      return { type: 'float', text: formatFloat(n) };
    }
    case 'bool': {
      const b = parseGoBool(s);
      if (b === undefined) throw new SopsError('malformed', `Malformed bool value at "${aad}"`);
      return { type: 'bool', text: b ? 'True' : 'False' };
    }
    default:
      throw new SopsError('malformed', `Unknown ENC value type "${type}" at "${aad}"`);
  }
}

/** Go's strconv.ParseFloat for the forms sops writes (decimal, exponent, ±Inf, NaN). */
export function parseGoFloat(s: string): number | undefined {
  const t = s.replace(/_/g, '');
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (
    !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) &&
    !/^[+-]?0[xX][0-9a-fA-F.]+([pP][+-]?\d+)?$/.test(t)
  )
    return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Object.is(n, -0)) return '-0';
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expS] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const digits = lead + frac;
  const exp = Number(expS);
  const pointPos = 1 + exp; // position of the decimal point within digits
  if (pointPos <= 0) return `${sign}0.${'0'.repeat(-pointPos)}${digits}`;
  if (pointPos >= digits.length) return `${sign}${digits}${'0'.repeat(pointPos - digits.length)}`;
  return `${sign}${digits.slice(0, pointPos)}.${digits.slice(pointPos)}`;
}

/** The marker hashed first when mac_only_encrypted is set: sha256("sops"). */
export const MAC_ONLY_ENCRYPTED_INIT = createHash('sha256').update('sops').digest();

export class MacHasher {
  private readonly h = createHash('sha512');
  constructor(macOnlyEncrypted: boolean) {
    if (macOnlyEncrypted) this.h.update(MAC_ONLY_ENCRYPTED_INIT);
  }
  add(text: string): void {
    this.h.update(Buffer.from(text, 'utf8'));
  }
  hex(): string {
    return this.h.digest('hex').toUpperCase();
  }
}

/** Normalizes a stored lastmodified to Go's time.RFC3339 formatting (no fractional seconds). */
export function normalizeLastModified(s: string): string {
  return s.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '');
}

export function encryptMac(macHex: string, key: Uint8Array, lastModified: string): string {
  return encryptRaw(Buffer.from(macHex, 'utf8'), key, lastModified, 'str');
}

export function decryptMac(value: string, key: Uint8Array, lastModified: string): string {
  try {
    return decryptRaw(value, key, lastModified).plain.toString('utf8');
  } catch (e) {
    const alt = normalizeLastModified(lastModified);
    if (alt !== lastModified) return decryptRaw(value, key, alt).plain.toString('utf8');
    throw e;
  }
}

/** lastmodified as sops writes it: RFC 3339 UTC, whole seconds. */
export function nowRfc3339(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
