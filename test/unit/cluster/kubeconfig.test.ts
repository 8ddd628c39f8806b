import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import {
  contextNamespace,
  kubeConfigForContext,
  kubeconfigFiles,
  loadKubeconfig,
} from '../../../src/core/cluster/kubeconfig';

function config(name: string, current: string | undefined, server: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'shared', cluster: { server } },
      { name: `${name}-cluster`, cluster: { server } },
    ],
    users: [{ name: `${name}-user`, user: { token: `${name}-token` } }],
    contexts: [
      {
        name: `${name}-ctx`,
        context: { cluster: `${name}-cluster`, user: `${name}-user`, namespace: `${name}-ns` },
      },
      { name: 'shared-ctx', context: { cluster: 'shared', user: `${name}-user` } },
    ],
    ...(current ? { 'current-context': current } : {}),
  });
}

test('file selection: setting, then KUBECONFIG, then ~/.kube/config', () => {
  assert.deepEqual(kubeconfigFiles({ path: '~/k.yaml', homeDir: '/home/u', env: { KUBECONFIG: '/x' } }), [
    '/home/u/k.yaml',
  ]);
  assert.deepEqual(
    kubeconfigFiles({ env: { KUBECONFIG: ['/a', '', '/b', '/a'].join(delimiter) }, homeDir: '/h' }),
    ['/a', '/b'],
  );
  assert.deepEqual(kubeconfigFiles({ env: {}, homeDir: '/h' }), ['/h/.kube/config']);
});

test('KUBECONFIG files merge like kubectl: first name and first current-context win', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  try {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, config('a', undefined, 'https://a.example:6443'));
    writeFileSync(b, config('b', 'b-ctx', 'https://b.example:6443'));
    const missing = join(dir, 'missing');
    const r = await loadKubeconfig({ env: { KUBECONFIG: [a, missing, b].join(delimiter) } });
    assert.equal(r.kind, 'loaded');
    if (r.kind !== 'loaded') return;
    assert.deepEqual(r.files, [a, b]);
    assert.deepEqual(r.contexts.sort(), ['a-ctx', 'b-ctx', 'shared-ctx']);
    assert.equal(r.currentContext, 'b-ctx', 'a sets none, so b decides');
    assert.equal(r.kubeConfig.getCluster('shared')?.server, 'https://a.example:6443', 'first file wins');
    assert.equal(r.kubeConfig.getContextObject('shared-ctx')?.user, 'a-user');

    // A copy per connection; the merged config and the files keep their current context.
    const before = readFileSync(b, 'utf8');
    const copy = await kubeConfigForContext(r.kubeConfig, 'a-ctx');
    assert.equal(copy.getCurrentContext(), 'a-ctx');
    assert.equal(copy.getCurrentCluster()?.server, 'https://a.example:6443');
    assert.equal(r.kubeConfig.getCurrentContext(), 'b-ctx');
    assert.equal(readFileSync(b, 'utf8'), before);
    assert.equal(contextNamespace(copy, 'a-ctx'), 'a-ns');
    assert.equal(contextNamespace(copy, 'shared-ctx'), undefined);
    await assert.rejects(kubeConfigForContext(r.kubeConfig, 'nope'), /no context "nope"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no kubeconfig and broken kubeconfig are results, not exceptions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  try {
    const none = await loadKubeconfig({ env: {}, homeDir: dir });
    assert.equal(none.kind, 'not-found');
    const explicit = await loadKubeconfig({ path: join(dir, 'nope') });
    assert.equal(explicit.kind, 'not-found');
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'clusters: [ this is not yaml');
    const bad = await loadKubeconfig({ path: broken });
    assert.equal(bad.kind, 'invalid');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
