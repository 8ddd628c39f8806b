import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { fixture, removeTemp, repoRoot, tempCopy, write } from './helpers';

const schemaDir = path.join(repoRoot, 'dist', 'schemas');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
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

test('check exits 0 on a clean repository and 2 on bad usage', async () => {
  assert.equal((await run(['check', fixture('superbloom-like')])).code, 0);
  assert.equal((await run(['check', fixture('flux-example')])).code, 0);
  assert.equal((await run(['check', fixture('cluster-template')])).code, 0);
  assert.equal((await run(['check', fixture('bad-input')])).code, 1);
  assert.equal((await run(['check', fixture('superbloom-like'), '--flux-version'])).code, 2);
  assert.equal((await run(['frobnicate', '.'])).code, 2);
  assert.equal((await run(['check', path.join(repoRoot, 'no-such-folder')])).code, 2);
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['--help'])).code, 0);
});

test('scan --json prints the contract; scan alone prints the tree', async () => {
  const root = fixture('superbloom-like');
  const r = await run(['scan', root, '--json']);
  assert.equal(r.code, 0);
  const json = JSON.parse(r.out) as { kustomizations: Array<{ name: string; cluster: string }> };
  assert.deepEqual(
    json.kustomizations.map((k) => `${k.cluster}/${k.name}`),
    ['demo/flux-system', 'demo/infra', 'demo/apps'],
  );
  const tree = await run(['scan', root]);
  assert.match(tree.out, /^cluster demo \(flux\/clusters\/demo\)$/m);
  assert.match(tree.out, /^ {4}web\/ \(4 files\)$/m);
  assert.ok(fs.existsSync(root));
});

const KUSTOMIZATION_WITH_TYPOS = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  intervall: 10m
  interval: 10m
  timeout: 5
  path: ./flux/apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

test("check judges Flux objects by the editor's schemas: same messages, an error exits 1", async (t) => {
  if (!fs.existsSync(path.join(schemaDir, 'index.json')))
    return t.skip('dist/schemas absent (npm run build)');
  const root = tempCopy('superbloom-like');
  try {
    const file = write(path.join(root, 'flux/clusters/demo/typos.yaml'), KUSTOMIZATION_WITH_TYPOS);
    write(
      path.join(root, 'flux/clusters/demo/kustomization.yaml'),
      fs
        .readFileSync(path.join(root, 'flux/clusters/demo/kustomization.yaml'), 'utf8')
        .replace(/resources:\n/, 'resources:\n  - typos.yaml\n'),
    );
    const r = await run(['check', root, '--schemas', schemaDir]);
    const rel = path.relative(root, file).split(path.sep).join('/');
    const schemaLines = r.out.split('\n').filter((l) => l.includes('[schema]'));
    assert.deepEqual(
      schemaLines,
      [
        `${rel}:7: error [schema] Property intervall is not allowed.`,
        `${rel}:9: error [schema] Incorrect type. Expected "string".`,
      ],
      r.out,
    );
    assert.equal(r.code, 1, r.out);
    // The same repository without --schemas pointing anywhere real says it did not check.
    const none = await run(['check', root, '--schemas', path.join(root, 'nowhere')]);
    assert.match(none.err, /no schemas in .*nowhere/);
  } finally {
    removeTemp(root);
  }
});

test('schema findings in a file no Flux Kustomization applies are warnings: check does not fail on them', async (t) => {
  if (!fs.existsSync(path.join(schemaDir, 'index.json')))
    return t.skip('dist/schemas absent (npm run build)');
  const root = tempCopy('superbloom-like');
  try {
    // Beside the applied folders but listed nowhere: Flux never reads it.
    const file = write(path.join(root, 'flux/clusters/demo/unlisted/typos.yaml'), KUSTOMIZATION_WITH_TYPOS);
    const r = await run(['check', root, '--schemas', schemaDir]);
    const rel = path.relative(root, file).split(path.sep).join('/');
    assert.deepEqual(
      r.out.split('\n').filter((l) => l.includes('[schema]')),
      [
        `${rel}:7: warning [schema] Property intervall is not allowed.`,
        `${rel}:9: warning [schema] Incorrect type. Expected "string".`,
      ],
      r.out,
    );
    assert.equal(r.code, 0, r.out);
  } finally {
    removeTemp(root);
  }
});

test('check --flux-version judges apiVersions against that Flux: removed ones are errors', async (t) => {
  const root = tempCopy('superbloom-like');
  try {
    const file = write(
      path.join(root, 'flux/clusters/demo/old.yaml'),
      'apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: HelmRepository\nmetadata:\n  name: old\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: https://charts.example.invalid\n',
    );
    write(
      path.join(root, 'flux/clusters/demo/kustomization.yaml'),
      fs
        .readFileSync(path.join(root, 'flux/clusters/demo/kustomization.yaml'), 'utf8')
        .replace(/resources:\n/, 'resources:\n  - old.yaml\n'),
    );
    const args = ['check', root, ...(fs.existsSync(schemaDir) ? ['--schemas', schemaDir] : [])];
    const r = await run([...args, '--flux-version', '2.9']);
    const rel = path.relative(root, file).split(path.sep).join('/');
    assert.ok(
      r.out
        .split('\n')
        .includes(
          `${rel}:1: error [api-removed] HelmRepository source.toolkit.fluxcd.io/v1beta2 was removed in Flux 2.8 (cluster demo runs Flux 2.9.5): use apiVersion source.toolkit.fluxcd.io/v1.`,
        ),
      r.out,
    );
    assert.equal(r.code, 1);
    if (!fs.existsSync(schemaDir)) t.diagnostic('dist/schemas absent: the schema part of check did not run');
  } finally {
    removeTemp(root);
  }
});
