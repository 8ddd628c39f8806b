import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { fixture, removeTemp, repoRoot, tempCopy, write } from './helpers';

function run(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('check names the app folder missing from its parent kustomization.yaml (a warning; --strict exits 1)', () => {
  const root = tempCopy('superbloom-like');
  try {
    const app = path.join(root, 'flux/clusters/demo/apps/blog');
    write(path.join(app, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: blog\n');
    write(path.join(app, 'kustomization.yaml'), 'resources:\n  - ns.yaml\n');
    // The real binary, as CI would run it.
    const cli = path.join(repoRoot, 'out', 'src', 'cli.js');
    const r = spawnSync(process.execPath, [cli, 'check', root], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^flux\/clusters\/demo\/apps\/kustomization\.yaml:\d+: warning \[not-applied\] .*add "blog\/" to the resources/m,
    );
    assert.match(r.stdout, /0 errors, 1 warning/);
    const strict = spawnSync(process.execPath, [cli, 'check', root, '--strict'], { encoding: 'utf8' });
    assert.equal(strict.status, 1, strict.stdout + strict.stderr);
  } finally {
    removeTemp(root);
  }
});

test('check exits 0 on a clean repository and 2 on bad usage', () => {
  assert.equal(run(['check', fixture('superbloom-like')]).code, 0);
  assert.equal(run(['check', fixture('flux-example')]).code, 0);
  assert.equal(run(['check', fixture('cluster-template')]).code, 0);
  assert.equal(run(['check', fixture('bad-input')]).code, 1);
  assert.equal(run(['frobnicate', '.']).code, 2);
  assert.equal(run(['check', path.join(repoRoot, 'no-such-folder')]).code, 2);
  assert.equal(run([]).code, 2);
  assert.equal(run(['--help']).code, 0);
});

test('scan --json prints the contract; scan alone prints the tree', () => {
  const root = fixture('superbloom-like');
  const r = run(['scan', root, '--json']);
  assert.equal(r.code, 0);
  const json = JSON.parse(r.out) as { kustomizations: Array<{ name: string; cluster: string }> };
  assert.deepEqual(
    json.kustomizations.map((k) => `${k.cluster}/${k.name}`),
    ['demo/flux-system', 'demo/infra', 'demo/apps'],
  );
  const tree = run(['scan', root]);
  assert.match(tree.out, /^cluster demo \(flux\/clusters\/demo\)$/m);
  assert.match(tree.out, /^ {4}web\/ \(4 files\)$/m);
  assert.ok(fs.existsSync(root));
});
