import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionManager, summariseHealth } from '../../../src/core/cluster/connection';
import { loadClientNode } from '../../../src/core/cluster/kubeconfig';
import { StatusStore } from '../../../src/core/cluster/store';
import { FakeApi } from './fakeApi';
import { kustomization } from './fixtures';

async function kubeConfig() {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: false }],
    users: [{ name: 'u', token: 't' }],
    contexts: [
      { name: 'one', cluster: 'c', user: 'u' },
      { name: 'two', cluster: 'c', user: 'u', namespace: 'team-a' },
    ],
    currentContext: 'one',
  });
  return kc;
}

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const tick = () => (check() ? resolve() : setTimeout(tick, 2));
    tick();
  });
}

test('manager: one connection per cluster, reconnect on a new context, disconnect clears the store', async () => {
  const kc = await kubeConfig();
  const store = new StatusStore();
  const manager = new ConnectionManager(store);
  const api = new FakeApi();
  api.served = [{ kind: 'Kustomization', version: 'v1', deprecated: false }];
  api.add('Kustomization', kustomization());
  const [a, b] = await Promise.all([
    manager.connect('superbloom', 'one', kc, { api }),
    manager.connect('superbloom', 'one', kc, { api }),
  ]);
  assert.equal(a, b, 'concurrent connects share one connection');
  await until(() => store.getHealth('superbloom')?.state === 'connected');
  assert.equal(store.size, 1);
  assert.equal(store.getHealth('superbloom')?.context, 'one');
  assert.equal(kc.getCurrentContext(), 'one', 'the given KubeConfig is not switched');
  assert.equal(a.kubeConfig.getCurrentContext(), 'one');

  const c = await manager.connect('superbloom', 'two', kc, { api });
  assert.notEqual(c, a);
  assert.equal(c.kubeConfig.getCurrentContext(), 'two');
  assert.equal(kc.getCurrentContext(), 'one');
  await until(
    () =>
      store.getHealth('superbloom')?.context === 'two' &&
      store.getHealth('superbloom')?.state === 'connected',
  );
  assert.equal(manager.all().length, 1);

  await manager.disconnect('superbloom');
  assert.equal(store.size, 0);
  assert.equal(store.getHealth('superbloom'), undefined);
  await manager.dispose();
});

test('manager: an unknown context is an error from connect', async () => {
  const manager = new ConnectionManager(new StatusStore());
  await assert.rejects(
    manager.connect('x', 'missing', await kubeConfig(), { api: new FakeApi() }),
    /no context "missing"/,
  );
});

test('manager: the same context edited in the kubeconfig (server, user) reconnects; an unchanged reload does not', async () => {
  const k8s = await loadClientNode();
  const store = new StatusStore();
  const manager = new ConnectionManager(store);
  const api = new FakeApi();
  api.served = [{ kind: 'Kustomization', version: 'v1', deprecated: false }];
  const a = await manager.connect('c', 'one', await kubeConfig(), { api });
  assert.equal(
    await manager.connect('c', 'one', await kubeConfig(), { api }),
    a,
    'an equal kubeconfig, read again',
  );
  const moved = new k8s.KubeConfig();
  moved.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:2', skipTLSVerify: false }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'one', cluster: 'c', user: 'u' }],
    currentContext: 'one',
  });
  const b = await manager.connect('c', 'one', moved, { api });
  assert.notEqual(b, a, 'another server: a new connection');
  assert.equal(b.kubeConfig.getCurrentCluster()?.server, 'https://127.0.0.1:2');
  await manager.dispose();
});

test('health: a kind answered 401 makes the cluster "credentials rejected", with the reason', () => {
  const health = summariseHealth('c', 'one', [
    { kind: 'Kustomization', state: 'watching' },
    {
      kind: 'HelmRelease',
      state: 'unauthorized',
      message: 'Unauthorized: the server rejected the credentials',
    },
  ]);
  assert.equal(health.state, 'credentials rejected');
  assert.match(health.message ?? '', /Unauthorized/);
  assert.equal(summariseHealth('c', 'one', [], 'Unauthorized: …', true).state, 'credentials rejected');
});
