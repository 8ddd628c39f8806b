import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanRepository, type Problem, type RepoModel } from '../../../src/core/repo';
import { fixture, rel, removeTemp, tempCopy, write } from './helpers';

function find(model: RepoModel, root: string, code: string, file?: string): Problem[] {
  return model.problems.filter((p) => p.code === code && (file === undefined || rel(root, p.file) === file));
}

test('bad-input corpus: every problem reported where it is, the rest still scans', () => {
  const root = fixture('bad-input');
  const model = scanRepository([root]);
  const one = (code: string, file: string, line?: number): Problem => {
    const found = find(model, root, code, file);
    assert.equal(found.length >= 1, true, `${code} at ${file}: ${JSON.stringify(model.problems, null, 1)}`);
    if (line !== undefined) assert.equal(found[0].line, line, `${code} line`);
    return found[0];
  };
  // Malformed YAML: an error at the line, the next document and the other files still count.
  assert.equal(one('yaml-syntax', 'apps/broken/bad.yaml').severity, 'error');
  assert.ok(model.objects.some((o) => o.name === 'after-the-error'));
  assert.ok(model.objects.some((o) => o.name === 'good'));
  one('duplicate-object', 'apps/dup/b.yaml', 1);
  assert.match(one('kustomize-cycle', 'apps/loop-b/kustomization.yaml').message, /cycle/);
  assert.match(one('dependency-cycle', 'clusters/bad/cycle.yaml').message, /apps → cycle → apps/);
  one('path-escapes', 'apps/kustomization.yaml', 7);
  one('path-escapes', 'clusters/bad/escape.yaml', 8);
  one('missing-resource', 'clusters/bad/kustomization.yaml', 8);
  one('missing-kustomization', 'apps/kustomization.yaml', 10);
  one('path-not-found', 'clusters/bad/cycle.yaml', 23);
  assert.equal(one('plaintext-secret', 'apps/secret.yaml').severity, 'error');
  assert.equal(one('unresolved-reference', 'apps/helm.yaml', 12).severity, 'warning');
  const forgotten = one('not-applied', 'apps/kustomization.yaml');
  assert.equal(forgotten.severity, 'warning');
  assert.match(forgotten.message, /apps\/forgotten\//);
  // Remote resources are listed, never fetched.
  assert.deepEqual(
    model.remoteResources.map((r) => r.url),
    ['https://github.com/example/remote//config?ref=main'],
  );
  const cycle = [...model.kustomizations.values()].find((k) => k.name === 'orphaned-source')!;
  assert.equal(cycle.external, true);
});

test('symlink loop, 20 MB file and binary file: warnings, no crash, no hang', () => {
  const root = tempCopy('bad-input');
  try {
    const cycleDir = path.join(root, 'cycle');
    fs.symlinkSync('..', path.join(cycleDir, 'up'), 'dir');
    fs.symlinkSync('self-b', path.join(cycleDir, 'self-a'));
    fs.symlinkSync('self-a', path.join(cycleDir, 'self-b'));
    const line = 'k' + 'x'.repeat(60) + ': value\n';
    write(
      path.join(cycleDir, 'huge.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n' +
        `  ${line}`.repeat(Math.ceil((20 * 1024 * 1024) / line.length)),
    );
    write(path.join(cycleDir, 'blob.yaml'), Buffer.from([0x61, 0x3a, 0x00, 0xff, 0xfe, 0x00, 0x01, 0x02]));
    const started = Date.now();
    const model = scanRepository([root]);
    assert.ok(Date.now() - started < 10_000, 'scan took too long');
    const loop = model.problems.filter((p) => p.code === 'symlink-loop');
    assert.ok(loop.length >= 1, JSON.stringify(model.problems.map((p) => p.code)));
    assert.ok(loop.every((p) => p.severity === 'warning'));
    const huge = find(model, root, 'file-too-large', 'cycle/huge.yaml');
    assert.equal(huge.length, 1);
    assert.match(huge[0].message, /20\.\d MB/);
    assert.equal(find(model, root, 'binary-file', 'cycle/blob.yaml').length, 1);
    // The rest of the folder is still applied.
    assert.ok(model.objects.some((o) => o.name === 'in-cycle'));
  } finally {
    removeTemp(root);
  }
});

test('garbage everywhere never throws', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'repo-garbage-'));
  try {
    const texts = [
      '',
      '---\n---\n',
      'just a string',
      '- a\n- b\n',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: 5\nspec: [1, 2]\n',
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: x\nspec:\n  path: 7\n  dependsOn: nope\n  sourceRef: [a]\n',
      'resources: {a: b}\ncomponents: 3\npatches: [1, {path: 2}]\n',
      'a: &a [*a]\n',
      'a: &a\n  b: *a\n',
      '\ufeffapiVersion: v1\nkind: Secret\nmetadata:\n  name: bom\nsops: null\n',
      'key: "unterminated\n',
    ];
    texts.forEach((t, i) => write(path.join(root, `f${i}.yaml`), t));
    write(path.join(root, 'k', 'kustomization.yaml'), 'resources: {a: b}\ncomponents: 3\n');
    write(path.join(root, 'k', 'flux.yaml'), texts[5]);
    const model = scanRepository([root]);
    assert.ok(Array.isArray(model.problems));
    assert.ok(model.problems.some((p) => p.code === 'yaml-syntax'));
  } finally {
    removeTemp(root);
  }
});
