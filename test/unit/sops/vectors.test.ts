import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { NativeSopsEngine } from '../../../src/core/sops/engine';
import { parseIdentities } from '../../../src/core/sops/age';
import { loadAge } from '../../../src/core/sops/age';

// out/test/unit/sops -> repo root is four levels up
const repoRoot = path.resolve(__dirname, '../../../..');
const VECTORS = path.resolve(repoRoot, '../shared/sops-vectors');
const present = existsSync(VECTORS);
const skip = present ? false : `shared SOPS vectors not found at ${VECTORS}`;

const read = (f: string): string => readFileSync(path.join(VECTORS, f), 'utf8');
const engine = new NativeSopsEngine();

const CASES: { file: string; key: string; format: 'yaml' | 'json'; expect: Record<string, unknown> }[] = [
  {
    file: 'flux-kustomize-controller/algorithms_age.yaml',
    key: 'flux-kustomize-controller/keys_age.txt',
    format: 'yaml',
    expect: { 'stringData.key': 'value' },
  },
  {
    file: 'flux-kustomize-controller/patches_merge1.yaml',
    key: 'flux-kustomize-controller/keys_age.txt',
    format: 'yaml',
    expect: { 'stringData.key': 'merge1' },
  },
  {
    file: 'flux-kustomize-controller/patches_merge2.yaml',
    key: 'flux-kustomize-controller/keys_age.txt',
    format: 'yaml',
    expect: { 'stringData.merge2': 'merge2' },
  },
  {
    file: 'flux-kustomize-controller/global_secret.yaml',
    key: 'flux-kustomize-controller/keys_age-global.txt',
    format: 'yaml',
    expect: { 'stringData.key': 'global-value' },
  },
  {
    file: 'flux-kustomize-controller/files_file.txt',
    key: 'flux-kustomize-controller/keys_age.txt',
    format: 'json',
    expect: { data: 'value' },
  },
  {
    file: 'humphd-sops-age/secret.enc.yaml',
    key: 'humphd-sops-age/key.txt',
    format: 'yaml',
    expect: {
      secret: 'this is a secret',
      string: 'string',
      int: 7,
      float: 3.14,
      boolean: true,
      'complex.value': 'this is a secret',
      'complex.array': ['one', 'two', 'three'],
    },
  },
  {
    file: 'signageos-vscode-sops/test-age.yaml',
    key: 'signageos-vscode-sops/age.txt',
    format: 'yaml',
    expect: { hello: 'encrypted here' },
  },
  {
    file: 'signageos-vscode-sops/test-age2.yaml',
    key: 'signageos-vscode-sops/age.txt',
    format: 'yaml',
    expect: { test: 'xxx', yes: 'yyy' },
  },
];

function get(o: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((acc, k) => (acc as Record<string, unknown> | undefined)?.[k], o);
}

for (const c of CASES) {
  void test(`vector ${c.file} decrypts natively with its MAC verified`, { skip }, async () => {
    const idsList = parseIdentities(read(c.key));
    const { plaintext } = await engine.decrypt(read(c.file), c.format, async () => idsList);
    const value = c.format === 'json' ? JSON.parse(plaintext) : YAML.parse(plaintext);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(get(value, k), v, k);
    assert.doesNotMatch(plaintext, /ENC\[AES256_GCM/);
    assert.doesNotMatch(plaintext, /^sops:/m);
  });
}

void test('vector humphd-sops-age/secret.enc.json equals secret.json', { skip }, async () => {
  const idsList = parseIdentities(read('humphd-sops-age/key.txt'));
  const { plaintext } = await engine.decrypt(
    read('humphd-sops-age/secret.enc.json'),
    'json',
    async () => idsList,
  );
  assert.deepEqual(JSON.parse(plaintext), JSON.parse(read('humphd-sops-age/secret.json')));
});

void test('vector getsops age mock key decrypts to "data"', { skip }, async () => {
  const age = await loadAge();
  const d = new age.Decrypter();
  for (const id of parseIdentities(read('getsops-sops/age_mock_identity.txt'))) d.addIdentity(id);
  const out = await d.decrypt(age.armor.decode(read('getsops-sops/age_mock_encrypted_key.age')), 'text');
  assert.equal(out, 'data');
});

void test('editing a vector changes only the edited value, mac and lastmodified', { skip }, async () => {
  const edits: [string, string, 'yaml' | 'json', string, string][] = [
    [
      'flux-kustomize-controller/global_secret.yaml',
      'flux-kustomize-controller/keys_age-global.txt',
      'yaml',
      'global-value',
      'changed',
    ],
    [
      'humphd-sops-age/secret.enc.yaml',
      'humphd-sops-age/key.txt',
      'yaml',
      'string: string',
      'string: STRING',
    ],
    [
      'humphd-sops-age/secret.enc.json',
      'humphd-sops-age/key.txt',
      'json',
      '"string": "string"',
      '"string": "STRING"',
    ],
  ];
  for (const [file, key, format, from, to] of edits) {
    const idsList = parseIdentities(read(key));
    const enc = read(file);
    const { plaintext } = await engine.decrypt(enc, format, async () => idsList);
    const edited = plaintext.replace(from, to);
    const re = await engine.reencryptEdited(enc, edited, format, async () => idsList);
    const a = enc.split('\n');
    const b = re.split('\n');
    assert.equal(a.length, b.length, file);
    assert.equal(a.filter((l, i) => l !== b[i]).length, 3, `${file}: the value, lastmodified and mac lines`);
    assert.equal((await engine.decrypt(re, format, async () => idsList)).plaintext, edited);
  }
});
