import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plaintextProblems } from '../../../src/core/sops/plaintextProblems';

const summary = (text: string, format: 'yaml' | 'json' | 'dotenv' = 'yaml'): string[] =>
  plaintextProblems(text, format).map(
    (p) => `${p.line}:${p.column} ${p.severity}${p.blocksSave ? ' blocks' : ''} ${p.message}`,
  );

test('a valid Secret has no problems', () => {
  const text = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: app}',
    'data:',
    '  token: c2VjcmV0',
    '  cert: |',
    '    LS0tLS1CRUdJTi',
    '    BDRVJUSUZJQ0FURS0tLS0t',
    'stringData:',
    '  password: plain text is fine here',
    '',
  ].join('\n');
  assert.deepEqual(summary(text), []);
});

test('text that does not parse blocks the save, with its position', () => {
  const problems = plaintextProblems('a: [1, 2\nb: 3\n', 'yaml');
  assert.ok(problems.length > 0, 'an unclosed flow sequence is a parse error');
  assert.ok(
    problems.every((p) => p.blocksSave && p.severity === 'error'),
    JSON.stringify(problems),
  );
  const json = plaintextProblems('{\n  "a": }\n', 'json');
  assert.deepEqual(
    json.map((p) => [p.line, p.blocksSave]),
    [[2, true]],
    `JSON that YAML would accept is still not JSON: ${JSON.stringify(json)}`,
  );
});

test('dotenv has no syntax to check', () => {
  assert.deepEqual(summary('A=1\nnot a pair\n', 'dotenv'), []);
});

test('data values that are not base64 are errors at the value, without blocking the save', () => {
  const text = 'kind: Secret\ndata:\n  ok: c2VjcmV0\n  bad: not base64!\n  short: abc\n';
  assert.deepEqual(summary(text), [
    '4:8 error Secret data.bad is not base64: the apiserver rejects it. Put plain text under stringData instead.',
    '5:10 error Secret data.short is not base64: the apiserver rejects it. Put plain text under stringData instead.',
  ]);
});

test('keys the apiserver refuses, non-string values and a non-map section are errors', () => {
  const text = 'kind: Secret\nstringData:\n  "with space": x\n  nested:\n    a: b\ndata: [a]\n';
  assert.deepEqual(summary(text), [
    '6:7 error Secret data must be a map of keys to values.',
    "3:3 error Secret stringData key \"with space\" is not allowed: use letters, digits, '-', '_' and '.'.",
    '4:3 error Secret stringData.nested must be a string.',
  ]);
});

test('a key in both data and stringData is a warning: stringData wins', () => {
  const text = 'kind: Secret\ndata:\n  token: c2VjcmV0\nstringData:\n  token: other\n';
  assert.deepEqual(summary(text), [
    '5:3 warning Secret key "token" is in both data and stringData: the stringData value wins.',
  ]);
});

test('objects other than Secrets, and every document of a stream, are judged by their own kind', () => {
  const text = 'kind: ConfigMap\ndata:\n  bad: not base64!\n---\nkind: Secret\ndata:\n  bad: "%%"\n';
  assert.deepEqual(summary(text), [
    '7:8 error Secret data.bad is not base64: the apiserver rejects it. Put plain text under stringData instead.',
  ]);
});
