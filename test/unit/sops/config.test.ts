import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  creationRuleWarnings,
  findSopsConfig,
  matchCreationRule,
  parseSopsConfig,
  type SopsFs,
} from '../../../src/core/sops/config';
import { SopsError } from '../../../src/core/sops/errors';

function memFs(files: Record<string, string>): SopsFs {
  return {
    readFile: async (p) => {
      const v = files[p];
      if (v === undefined) throw new Error(`ENOENT ${p}`);
      return v;
    },
    exists: async (p) => p in files,
  };
}

const ROOT = path.resolve('/ws');
const CONFIG = `creation_rules:
  - path_regex: '.*\\.enc\\.yaml$'
    encrypted_regex: '^(data|stringData)$'
    age: ['age1aaa', 'age1bbb']
  - path_regex: clusters/.*/secrets\\.yaml$
    age: age1ccc, age1ddd
    mac_only_encrypted: true
  - age: age1eee
`;

void test('the nearest .sops.yaml at or above the file, not above the root', async () => {
  const fs = memFs({
    [path.join(ROOT, '.sops.yaml')]: CONFIG,
    [path.join(ROOT, 'sub', '.sops.yaml')]: 'creation_rules: []\n',
  });
  const near = await findSopsConfig(path.join(ROOT, 'sub', 'deep', 'x.yaml'), ROOT, fs);
  assert.equal(near?.path, path.join(ROOT, 'sub', '.sops.yaml'));
  const top = await findSopsConfig(path.join(ROOT, 'other', 'x.yaml'), ROOT, fs);
  assert.equal(top?.path, path.join(ROOT, '.sops.yaml'));
  assert.equal(
    await findSopsConfig(path.join(ROOT, 'other', 'x.yaml'), path.join(ROOT, 'other'), fs),
    undefined,
  );
  assert.equal(await findSopsConfig('/elsewhere/x.yaml', ROOT, fs), undefined);
});

void test('creation rules: first match, path relative to the config folder, age lists', () => {
  const c = parseSopsConfig(CONFIG, path.join(ROOT, '.sops.yaml'));
  const r1 = matchCreationRule(path.join(ROOT, 'apps', 'a.enc.yaml'), c);
  assert.equal(r1.index, 0);
  assert.deepEqual(r1.age, ['age1aaa', 'age1bbb']);
  assert.equal(r1.rules.encryptedRegex, '^(data|stringData)$');
  const r2 = matchCreationRule(path.join(ROOT, 'clusters', 'prod', 'secrets.yaml'), c);
  assert.equal(r2.index, 1);
  assert.deepEqual(r2.age, ['age1ccc', 'age1ddd']);
  assert.equal(r2.rules.macOnlyEncrypted, true);
  assert.equal(matchCreationRule(path.join(ROOT, 'x.json'), c).index, 2);
});

void test('no matching rule and bad regexes are reported', () => {
  const c = parseSopsConfig(
    "creation_rules:\n  - path_regex: '\\.yaml$'\n    age: age1x\n",
    path.join(ROOT, '.sops.yaml'),
  );
  assert.throws(
    () => matchCreationRule(path.join(ROOT, 'a.json'), c),
    (e: unknown) => e instanceof SopsError && e.code === 'no-rule',
  );
  assert.throws(
    () => parseSopsConfig("creation_rules:\n  - path_regex: '(?=x)'\n", path.join(ROOT, '.sops.yaml')),
    (e: unknown) => e instanceof SopsError && e.code === 'bad-regex',
  );
  assert.throws(
    () => parseSopsConfig("creation_rules:\n  - encrypted_regex: 'a(?i)b'\n", path.join(ROOT, '.sops.yaml')),
    (e: unknown) => e instanceof SopsError && e.code === 'bad-regex',
  );
});

void test('creation rule warnings for Flux', () => {
  const c = parseSopsConfig(
    "creation_rules:\n  - path_regex: a\n    encrypted_regex: 'data|stringData'\n    age: x\n  - path_regex: b\n    encrypted_regex: '^(data|stringData)$'\n    age: x\n  - age: x\n",
    path.join(ROOT, '.sops.yaml'),
  );
  const [unanchored, good, all] = c.creationRules.map(creationRuleWarnings);
  assert.match(unanchored?.[0] ?? '', /metadata/);
  assert.deepEqual(good, []);
  assert.match(all?.[0] ?? '', /every value/);
});
