import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { NativeSopsEngine } from '../../../src/core/sops/engine';
import { SopsError } from '../../../src/core/sops/errors';
import { ids, newKey } from './helpers';

const engine = new NativeSopsEngine();

const TRICKY = [
  'plain',
  'with: colon space',
  'hash # inside',
  ' leading space',
  'trailing space ',
  'true',
  '123',
  '1.5',
  'null',
  '~',
  '',
  "single ' quote",
  'double " quote',
  'multi\nline',
  'multi\nline\n',
  'keep\n\n',
  '  indented first\nsecond',
  'tab\tinside',
  'unicode é ü 你好 🔐',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '- dash',
  '[bracket',
  '{brace',
  '*star',
  '&amp',
  '!bang',
  '%percent',
  '@at',
  '`tick',
  '|pipe',
  '>gt',
  'a'.repeat(300),
];

void test('tricky strings survive encrypt/decrypt in maps, sequences and flow collections', async () => {
  const k = await newKey();
  const value = {
    top: Object.fromEntries(TRICKY.map((s, i) => [`k${i}`, s])),
    list: TRICKY,
    nested: { deeper: { items: TRICKY.slice(0, 10) } },
  };
  const src = YAML.stringify(value, { lineWidth: 0 }) + 'flow: {a: "x y", b: [1, "two"]}\n';
  const enc = await engine.encrypt(src, 'yaml', { age: [k.recipient], rules: {} });
  const dec = (await engine.decrypt(enc, 'yaml', ids(k.identity))).plaintext;
  const parsed = YAML.parse(dec) as Record<string, unknown>;
  assert.deepEqual(parsed.top, value.top);
  assert.deepEqual(parsed.list, value.list);
  assert.deepEqual(parsed.nested, value.nested);
  assert.deepEqual(parsed.flow, { a: 'x y', b: [1, 'two'] });
  // decrypting and saving without a change gives back the same file
  assert.equal(await engine.reencryptEdited(enc, dec, 'yaml', ids(k.identity)), enc);
  // a round trip through the decrypted form keeps every ciphertext
  const again = await engine.reencryptEdited(enc, dec + 'extra: 1\n', 'yaml', ids(k.identity));
  const encValues = (t: string) => [...t.matchAll(/ENC\[AES256_GCM,data:[^\]]+\]/g)].map((m) => m[0]);
  const before = new Set(encValues(enc.replace(/\n\s*mac: .*/, '')));
  const after = encValues(again.replace(/\n\s*mac: .*/, ''));
  assert.equal(after.filter((v) => !before.has(v)).length, 1, 'only the new value has a new ciphertext');
});

void test('CRLF files keep CRLF line endings', async () => {
  const k = await newKey();
  const src = 'a: 1\r\nb:\r\n  c: "multi\\nline"\r\n# note\r\n';
  const enc = await engine.encrypt(src, 'yaml', { age: [k.recipient], rules: {} });
  assert.ok(!/[^\r]\n/.test(enc), 'every line break is CRLF');
  const dec = (await engine.decrypt(enc, 'yaml', ids(k.identity))).plaintext;
  assert.ok(!/[^\r]\n/.test(dec));
  assert.deepEqual(YAML.parse(dec), YAML.parse(src));
});

void test('dotenv: encrypt, decrypt, re-encrypt, comments, suffix rule', async () => {
  const k = await newKey();
  let t = 0;
  const engine = new NativeSopsEngine(() => new Date(Date.UTC(2026, 0, 1, 0, 0, t++)));
  const src =
    '# database\nDB_USER=admin\nDB_PASS=p@ss=word\nEMPTY=\nMULTI=line1\\nline2\nPUBLIC_unencrypted=visible\n';
  const enc = await engine.encrypt(src, 'dotenv', { age: [k.recipient], rules: {} });
  assert.match(enc, /^#ENC\[AES256_GCM,.*type:comment\]$/m);
  assert.match(enc, /^DB_PASS=ENC\[/m);
  assert.match(enc, /^EMPTY=$/m);
  assert.match(enc, /^PUBLIC_unencrypted=visible$/m);
  assert.match(enc, /^sops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\n/m);
  assert.match(enc, /^sops_mac=ENC\[/m);
  assert.match(enc, /^sops_version=3\.13\.2$/m);
  assert.equal((await engine.decrypt(enc, 'dotenv', ids(k.identity))).plaintext, src);
  const edited = src.replace('admin', 'root');
  const re = await engine.reencryptEdited(enc, edited, 'dotenv', ids(k.identity));
  const diff = enc
    .split('\n')
    .filter((l, i) => l !== re.split('\n')[i])
    .map((l) => l.split('=')[0]);
  assert.deepEqual(diff.sort(), ['DB_USER', 'sops_lastmodified', 'sops_mac']);
  assert.equal((await engine.decrypt(re, 'dotenv', ids(k.identity))).plaintext, edited);
  await assert.rejects(engine.encrypt('A=1\r\n', 'dotenv', { age: [k.recipient], rules: {} }), SopsError);
  await assert.rejects(engine.encrypt('no equals\n', 'dotenv', { age: [k.recipient], rules: {} }), SopsError);
});

void test('a comment encrypted under another path stays encrypted after an edit', async () => {
  const k = await newKey();
  const src = 'stringData:\n  a: x\n  # secret note\nother: y\n';
  const enc = await engine.encrypt(src, 'yaml', {
    age: [k.recipient],
    rules: { encryptedRegex: '^stringData$' },
  });
  assert.doesNotMatch(enc, /secret note/);
  // move the encrypted comment to the top level, where the rule would leave it in plaintext
  const moved = enc
    .replace(/\n( {2}#ENC\[[^\n]+)/, '')
    .replace('other:', `${/\n {2}(#ENC\[[^\n]+)/.exec(enc)?.[1] ?? ''}\nother:`);
  const dec = (await engine.decrypt(moved, 'yaml', ids(k.identity))).plaintext;
  assert.match(dec, /^# secret note$/m);
  const re = await engine.reencryptEdited(moved, dec.replace('y', 'z'), 'yaml', ids(k.identity));
  assert.doesNotMatch(re, /secret note/);
});
