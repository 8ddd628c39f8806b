/**
 * The age layer: wraps and unwraps the 32-byte SOPS data key for age X25519 recipients, with the
 * `age-encryption` package. That package is ESM-only; it is loaded with a dynamic import, which
 * the tsc (CommonJS) output turns into require() (Node ≥ 20.19 loads ESM that way) and which
 * esbuild bundles into the extension.
 */
import { SopsError } from './errors';

type AgeModule = typeof import('age-encryption');

let agePromise: Promise<AgeModule> | undefined;

export function loadAge(): Promise<AgeModule> {
  agePromise ??= import('age-encryption');
  return agePromise;
}

export const AGE_RECIPIENT_RE = /^age1[02-9ac-hj-np-z]{58}$/;
/** The age recipients a SOPS file names in its metadata (any store format: the keys are self-describing). */
export function ageRecipientsIn(encryptedText: string): string[] {
  const found = encryptedText.match(/\bage1[02-9ac-hj-np-z]{58}\b/g) ?? [];
  return [...new Set(found)];
}

/** Names the key a file needs, for a message: "the age key of age1…" or "an age key of one of …". */
export function describeNeededAgeKey(recipients: readonly string[]): string {
  if (recipients.length === 0) return 'the key the file was encrypted for';
  if (recipients.length === 1) return `the age key of ${recipients[0]}`;
  return `an age key of one of ${recipients.join(', ')}`;
}

const AGE_IDENTITY_RE = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

/** Extracts `AGE-SECRET-KEY-1…` identities from keys.txt-style text (comments and blanks ignored). */
export function parseIdentities(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (AGE_IDENTITY_RE.test(line)) out.push(line);
  }
  return out;
}

export async function recipientOf(identity: string): Promise<string> {
  const age = await loadAge();
  return age.identityToRecipient(identity);
}

/** Encrypts the data key for one recipient, ASCII-armored as sops stores it in sops.age[].enc. */
export async function wrapDataKey(dataKey: Uint8Array, recipient: string): Promise<string> {
  if (!AGE_RECIPIENT_RE.test(recipient)) {
    throw new SopsError(
      'unsupported',
      `The native engine supports age X25519 recipients (age1…) only, not "${recipient}"; use the sops CLI engine.`,
    );
  }
  const age = await loadAge();
  const e = new age.Encrypter();
  e.addRecipient(recipient);
  const file = await e.encrypt(dataKey);
  return age.armor.encode(file);
}

export interface AgeStanza {
  recipient: string;
  enc: string;
}

/**
 * Decrypts the data key with the first identity that opens one of the stanzas. Stanzas whose
 * recipient matches an identity are tried first. Throws SopsError('no-identity') otherwise.
 */
export async function unwrapDataKey(
  stanzas: readonly AgeStanza[],
  identities: readonly string[],
): Promise<Uint8Array> {
  if (stanzas.length === 0) {
    throw new SopsError(
      'unsupported',
      'The file has no age recipients; the native engine only decrypts age-encrypted files.',
    );
  }
  if (identities.length === 0) {
    throw new SopsError(
      'no-identity',
      'No age identity found (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, ~/.config/sops/age/keys.txt or the setting).',
    );
  }
  const age = await loadAge();
  const own = new Set<string>();
  for (const id of identities) {
    try {
      own.add(await age.identityToRecipient(id));
    } catch {
      /* ignore unusable identities */
    }
  }
  const ordered = [...stanzas].sort((a, b) => Number(own.has(b.recipient)) - Number(own.has(a.recipient)));
  const d = new age.Decrypter();
  for (const id of identities) d.addIdentity(id);
  let lastError: unknown;
  for (const s of ordered) {
    let file: Uint8Array;
    try {
      file = age.armor.decode(s.enc);
    } catch {
      lastError = new SopsError('malformed', `The age stanza for ${s.recipient} is not valid ASCII armor.`);
      continue;
    }
    try {
      const key = await d.decrypt(file);
      if (key.length !== 32) throw new SopsError('malformed', 'The decrypted data key is not 32 bytes.');
      return key;
    } catch (e) {
      lastError = e;
    }
  }
  if (lastError instanceof SopsError && lastError.code === 'malformed') throw lastError;
  const recips = stanzas.map((s) => s.recipient).join(', ');
  throw new SopsError(
    'no-identity',
    `None of the available age identities matches the file's recipients (${recips}).`,
  );
}
