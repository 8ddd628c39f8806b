/**
 * The name suffix of generated ConfigMaps and Secrets. Every expected name below is what
 * kustomize itself (sigs.k8s.io/kustomize/api v0.21.1, the version flux v2.9.5 vendors, through
 * krusty.MakeKustomizer(...).Run) gave for the same folder; the inputs are written here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanRepository } from '../../../src/core/repo';
import { removeTemp, write } from './helpers';

/** A repository whose Flux Kustomization "app" builds `app/<folder>`; files are relative to app/. */
function generatedNames(folder: string, files: Record<string, string | Buffer>): string[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'generator-hash-'));
  try {
    write(
      path.join(root, 'clusters/demo/sync.yaml'),
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata: {name: flux-system, namespace: flux-system}',
        'spec: {interval: 1m, url: https://example.com/demo.git, ref: {branch: main}}',
        '---',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: {name: flux-system, namespace: flux-system}',
        'spec: {interval: 10m, path: ./clusters/demo, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}',
        '---',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: {name: app, namespace: flux-system}',
        `spec: {interval: 10m, path: ./app/${folder}, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}`,
        '',
      ].join('\n'),
    );
    for (const [file, text] of Object.entries(files)) write(path.join(root, 'app', file), text);
    const model = scanRepository([root]);
    assert.deepEqual(
      model.problems.map((p) => p.message),
      [],
      'the inputs build without problems',
    );
    return model.objects
      .filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')
      .map((o) => `${o.kind} ${o.name}`)
      .sort();
  } finally {
    removeTemp(root);
  }
}

test('ConfigMap from literals, a file and an env file', () => {
  const names = generatedNames('plain', {
    'plain/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'configMapGenerator:',
      '  - name: settings',
      '    literals:',
      '      - greeting=hello world',
      '      - count=3',
      '      - flag=true',
      '    files:',
      '      - config.yaml',
      '    envs:',
      '      - app.env',
      '',
    ].join('\n'),
    'plain/config.yaml': 'a: 1\nb:\n  c: "x"\n',
    'plain/app.env': 'LOG_LEVEL=debug\n# comment\nEMPTY=\nQUOTED="q v"\n',
  });
  assert.deepEqual(names, ['ConfigMap settings-4b984g59kf']);
});

test('file contents are hashed byte for byte (newlines, spaces, tabs, CRLF, non-ASCII, HTML characters)', () => {
  // [file name (the data key), content, kustomize's suffix]
  const contents: Array<[string, string, string]> = [
    ['a.txt', 'no trailing newline', 'ffd686t8ck'],
    ['b.txt', '  leading spaces\nline\n', '5hghff729m'],
    ['c.txt', 'trailing spaces   \nnext\n', 'h4mb47h799'],
    ['d.txt', 'tab\there\n', '4mmfmmdfg7'],
    ['e.txt', 'crlf\r\nline\r\n', 'c6c49kcd54'],
    ['f.txt', 'caf\u00e9 \u2014 <b>&amp;</b>\n', '278g5dmt8b'],
    ['g.txt', 'many newlines\n\n\n', 'c678mkbctm'],
    ['h.txt', '', 'tk7fd2khf7'],
  ];
  const seen = contents.map(([file, text]) =>
    generatedNames(file, {
      [`${file}/kustomization.yaml`]: `configMapGenerator:\n  - name: one\n    files: [${file}]\n`,
      [`${file}/${file}`]: text,
    }),
  );
  assert.deepEqual(
    seen,
    contents.map(([, , hash]) => [`ConfigMap one-${hash}`]),
  );
  // All of them in one ConfigMap.
  const all = generatedNames('odd', {
    'odd/kustomization.yaml': `configMapGenerator:\n  - name: odd\n    files: [${contents.map(([f]) => f).join(', ')}]\n`,
    ...Object.fromEntries(contents.map(([file, text]) => [`odd/${file}`, text])),
  });
  assert.deepEqual(all, ['ConfigMap odd-96tb7mh8f4']);
});

test('Secrets: base64 wrapped at 70 characters, type, empty data; names and options do not count', () => {
  const names = generatedNames('secret', {
    'secret/kustomization.yaml': [
      'secretGenerator:',
      '  - name: creds',
      '    files: [user.txt, long.txt, exact.txt]',
      '    literals: [token=abc]',
      '  - name: tls-ish',
      '    type: kubernetes.io/tls',
      '    literals: [tls.crt=cert, tls.key=key]',
      '  - name: empty-secret',
      '  - name: secret-options',
      '    literals: [k=v]',
      '    options:',
      '      labels: {app: demo}',
      '      annotations: {note: x}',
      '      immutable: true',
      'configMapGenerator:',
      '  - name: empty-config',
      '  - name: config-options',
      '    literals: [k=v]',
      '    options:',
      '      immutable: true',
      '      labels: {app: demo}',
      'generatorOptions:',
      '  annotations: {global: "yes"}',
      '',
    ].join('\n'),
    'secret/user.txt': 'short',
    // 200 bytes: base64 of several lines; 51 bytes: exactly one line of 68, below the wrap.
    'secret/long.txt': 'k'.repeat(200),
    'secret/exact.txt': 'x'.repeat(51),
  });
  assert.deepEqual(names, [
    'ConfigMap config-options-bdg947hgcc',
    'ConfigMap empty-config-6ct58987ht',
    'Secret creds-m6d44866hf',
    'Secret empty-secret-46f8b28mk5',
    'Secret secret-options-ftgtgc4t9f',
    'Secret tls-ish-8gkh55dgdg',
  ]);
});

test('the hash is over the data after behavior merge/replace and patches, whatever prefix and suffix', () => {
  const overlay = generatedNames('merge/overlay', {
    'merge/base/kustomization.yaml':
      'configMapGenerator:\n  - name: shared\n    literals: [a=1, b=2]\nsecretGenerator:\n  - name: s\n    literals: [x=1]\n',
    'merge/overlay/kustomization.yaml': [
      'namePrefix: pre-',
      'nameSuffix: -suf',
      'namespace: demo',
      'commonLabels: {team: a}',
      'resources: [../base]',
      'configMapGenerator:',
      '  - name: shared',
      '    behavior: merge',
      '    literals: [b=3, c=4]',
      'secretGenerator:',
      '  - name: s',
      '    behavior: replace',
      '    literals: [y=2]',
      '',
    ].join('\n'),
  });
  assert.deepEqual(overlay, ['ConfigMap pre-shared-suf-fbcmkbc66h', 'Secret pre-s-suf-thbb5hb82m']);

  // A patch that adds b=2 to {a=1} gives the same data, so the same suffix, as literals a=1, b=2.
  const patched = generatedNames('patched', {
    'patched/kustomization.yaml': [
      'configMapGenerator:',
      '  - name: patched',
      '    literals: [a=1]',
      'patches:',
      '  - patch: |',
      '      apiVersion: v1',
      '      kind: ConfigMap',
      '      metadata:',
      '        name: patched',
      '      data:',
      '        b: "2"',
      '',
    ].join('\n'),
  });
  assert.deepEqual(patched, ['ConfigMap patched-7gdc49gk6d']);
});
