import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { NativeSopsEngine } from '../../../src/core/sops/engine';
import { SopsError } from '../../../src/core/sops/errors';
import { formatFloat } from '../../../src/core/sops/cipher';
import { yamlTimestamp } from '../../../src/core/sops/document';
import { ids, newKey } from './helpers';

const engine = new NativeSopsEngine();

const MULTI = `# top comment
apiVersion: v1 # trailing comment
kind: Secret
metadata:
  name: demo
  labels:
    app: x
stringData:
  # a comment inside stringData
  password: s3cr3t
  number: 42
  ratio: 1.5
  whole: 2.0
  flag: true
  off: false
  nothing: null
  empty: ""
  quoted: "123"
  yes: yes
  multi: |
    line one
    line two
  list:
    - a
    - 7
    - true
---
# second document
plain: value
nested:
  deep:
    key: v
`;

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof SopsError && e.code === code);
}

void test('native YAML round trip keeps the plaintext byte for byte (multi-doc, comments, all types)', async () => {
  const k = await newKey();
  const enc = await engine.encrypt(MULTI, 'yaml', { age: [k.recipient], rules: {} });
  assert.ok(!enc.includes('s3cr3t'));
  assert.ok(!enc.includes('a comment inside'));
  assert.equal((enc.match(/^sops:$/gm) ?? []).length, 2, 'metadata in every document');
  assert.match(enc, /password: ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:str\]/);
  assert.match(enc, /number: ENC\[.*type:int\]/);
  assert.match(enc, /ratio: ENC\[.*type:float\]/);
  assert.match(enc, /flag: ENC\[.*type:bool\]/);
  assert.match(enc, /nothing: null/);
  assert.match(enc, /empty: ""/);
  assert.match(enc, /#ENC\[AES256_GCM,.*type:comment\]/);
  const dec = await engine.decrypt(enc, 'yaml', ids(k.identity));
  assert.equal(dec.plaintext, MULTI);
});

void test('encrypted_regex keeps metadata plaintext and leaves top-level comments alone', async () => {
  const k = await newKey();
  const enc = await engine.encrypt(MULTI, 'yaml', {
    age: [k.recipient],
    rules: { encryptedRegex: '^(data|stringData)$' },
  });
  assert.match(enc, /^# top comment$/m);
  assert.match(enc, /name: demo/);
  assert.match(enc, /plain: value/);
  assert.doesNotMatch(enc, /s3cr3t/);
  assert.match(enc, /encrypted_regex: \^\(data\|stringData\)\$/);
  assert.equal((await engine.decrypt(enc, 'yaml', ids(k.identity))).plaintext, MULTI);
});

void test('suffix and regex rules, mac_only_encrypted', async () => {
  const k = await newKey();
  const src = 'a_unencrypted: open\nb: closed\nc_enc: sealed\nmeta:\n  x: 1\n';
  const e1 = await engine.encrypt(src, 'yaml', { age: [k.recipient], rules: {} });
  assert.match(e1, /a_unencrypted: open/);
  assert.match(e1, /unencrypted_suffix: _unencrypted/);
  const e2 = await engine.encrypt(src, 'yaml', { age: [k.recipient], rules: { encryptedSuffix: '_enc' } });
  assert.match(e2, /b: closed/);
  assert.match(e2, /c_enc: ENC\[/);
  const e3 = await engine.encrypt(src, 'yaml', { age: [k.recipient], rules: { unencryptedRegex: '^meta$' } });
  assert.match(e3, /x: 1/);
  assert.match(e3, /b: ENC\[/);
  const e4 = await engine.encrypt(src, 'yaml', {
    age: [k.recipient],
    rules: { encryptedRegex: '^b$', macOnlyEncrypted: true },
  });
  assert.match(e4, /mac_only_encrypted: true/);
  // with mac_only_encrypted, changing an unencrypted value keeps the MAC valid
  const tampered = e4.replace('a_unencrypted: open', 'a_unencrypted: changed');
  assert.match((await engine.decrypt(tampered, 'yaml', ids(k.identity))).plaintext, /changed/);
  for (const e of [e1, e2, e3, e4])
    assert.equal((await engine.decrypt(e, 'yaml', ids(k.identity))).plaintext, src);
});

void test('MAC mismatch, wrong key, not sops, already encrypted, malformed ENC', async () => {
  const k = await newKey();
  const other = await newKey();
  const enc = await engine.encrypt('a: 1\nb_unencrypted: x\n', 'yaml', { age: [k.recipient], rules: {} });
  await rejects(
    engine.decrypt(enc.replace('b_unencrypted: x', 'b_unencrypted: y'), 'yaml', ids(k.identity)),
    'mac-mismatch',
  );
  await rejects(engine.decrypt(enc, 'yaml', ids(other.identity)), 'no-identity');
  await rejects(engine.decrypt(enc, 'yaml', ids()), 'no-identity');
  await rejects(engine.decrypt('a: 1\n', 'yaml', ids(k.identity)), 'not-sops');
  await rejects(engine.encrypt(enc, 'yaml', { age: [k.recipient], rules: {} }), 'already-encrypted');
  await rejects(
    engine.decrypt(
      enc.replace(/a: ENC\[AES256_GCM,data:/, 'a: ENC[AES256_GCM,data:!!'),
      'yaml',
      ids(k.identity),
    ),
    'malformed',
  );
  await rejects(engine.decrypt('a: [1\n', 'yaml', ids(k.identity)), 'parse');
  await rejects(engine.encrypt('- a\n- b\n', 'yaml', { age: [k.recipient], rules: {} }), 'unsupported');
  await rejects(engine.encrypt('a: &x 1\nb: *x\n', 'yaml', { age: [k.recipient], rules: {} }), 'unsupported');
});

void test('several recipients: each one decrypts', async () => {
  const a = await newKey();
  const b = await newKey();
  const enc = await engine.encrypt('k: v\n', 'yaml', { age: [a.recipient, b.recipient], rules: {} });
  assert.equal((await engine.decrypt(enc, 'yaml', ids(a.identity))).plaintext, 'k: v\n');
  assert.equal((await engine.decrypt(enc, 'yaml', ids(b.identity))).plaintext, 'k: v\n');
});

void test('re-encrypt after edit keeps the ciphertext of unchanged values and comments', async () => {
  const k = await newKey();
  let t = 0;
  const clock = new NativeSopsEngine(() => new Date(Date.UTC(2026, 0, 1, 0, 0, t++)));
  const enc = await clock.encrypt(MULTI, 'yaml', {
    age: [k.recipient],
    rules: { encryptedRegex: '^(data|stringData)$' },
  });
  const plain = (await clock.decrypt(enc, 'yaml', ids(k.identity))).plaintext;
  assert.equal(await clock.reencryptEdited(enc, plain, 'yaml', ids(k.identity)), enc, 'no change, same text');
  const edited = plain.replace('password: s3cr3t', 'password: n3w');
  const re = await clock.reencryptEdited(enc, edited, 'yaml', ids(k.identity));
  const a = enc.split('\n');
  const b = re.split('\n');
  assert.equal(a.length, b.length);
  const changed = a.map((l, i) => (l === b[i] ? null : l.trim().split(':')[0])).filter((x) => x !== null);
  assert.deepEqual([...new Set(changed)].sort(), ['lastmodified', 'mac', 'password']);
  assert.equal((await clock.decrypt(re, 'yaml', ids(k.identity))).plaintext, edited);
});

void test('JSON: round trip, numbers, metadata member', async () => {
  const k = await newKey();
  const src = '{\n\t"a": 7,\n\t"b": 1.5,\n\t"c": "s",\n\t"d": [1, true, null, "x"],\n\t"e": {"f": "g"}\n}\n';
  const enc = await engine.encrypt(src, 'json', { age: [k.recipient], rules: {} });
  const parsed = JSON.parse(enc) as Record<string, unknown>;
  assert.match(String(parsed.a), /type:int\]$/);
  assert.match(String(parsed.b), /type:float\]$/);
  assert.ok((parsed.sops as Record<string, unknown>).mac);
  assert.equal((await engine.decrypt(enc, 'json', ids(k.identity))).plaintext, src);
  const edited = src.replace('"c": "s"', '"c": "t"');
  const re = await engine.reencryptEdited(enc, edited, 'json', ids(k.identity));
  assert.equal(JSON.parse(re).a, parsed.a);
  assert.equal((await engine.decrypt(re, 'json', ids(k.identity))).plaintext, edited);
});

void test('formatFloat matches Go strconv.FormatFloat(f, f, -1, 64)', () => {
  assert.equal(formatFloat(3.14), '3.14');
  assert.equal(formatFloat(1), '1');
  assert.equal(formatFloat(1e21), '1000000000000000000000');
  assert.equal(formatFloat(1.5e-7), '0.00000015');
  assert.equal(formatFloat(-2.5e22), '-25000000000000000000000');
  assert.equal(formatFloat(Infinity), '+Inf');
});

void test('YAML timestamps as yaml.v3 reads them', () => {
  assert.equal(yamlTimestamp('2024-01-01'), '2024-01-01T00:00:00Z');
  assert.equal(yamlTimestamp('2024-1-2T3:04:05.500+00:00'), '2024-01-02T03:04:05.5Z');
  assert.equal(yamlTimestamp('2024-01-02T03:04:05+02:00'), '2024-01-02T03:04:05+02:00');
  assert.equal(yamlTimestamp('2024-01-02 03:04:05'), '2024-01-02T03:04:05Z');
  assert.equal(yamlTimestamp('2024-13-01'), undefined);
  assert.equal(yamlTimestamp('hello'), undefined);
});

void test('a YAML date is encrypted as type:time and a quoted one as a string', async () => {
  const k = await newKey();
  const enc = await engine.encrypt('d: 2024-01-01\ns: "2024-01-01"\n', 'yaml', {
    age: [k.recipient],
    rules: {},
  });
  assert.match(enc, /d: ENC\[.*type:time\]/);
  assert.match(enc, /s: ENC\[.*type:str\]/);
  const dec = (await engine.decrypt(enc, 'yaml', ids(k.identity))).plaintext;
  assert.deepEqual(YAML.parse(dec), { d: '2024-01-01T00:00:00Z', s: '2024-01-01' });
});
