import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusStore, StoreChangeEvent } from '../../../src/core/cluster/store';
import { gitRepository, kustomization } from './fixtures';

function recorder(store: StatusStore): StoreChangeEvent[] {
  const events: StoreChangeEvent[] = [];
  store.onDidChange((e) => events.push(e));
  return events;
}

const summary = (e: StoreChangeEvent) =>
  e.changes.map((c) => `${c.type} ${c.ref.cluster}/${c.ref.kind}/${c.ref.namespace}/${c.ref.name}`);

test('upsert and remove fire one event with exactly the changed key', () => {
  const store = new StatusStore();
  const events = recorder(store);
  store.upsert('superbloom', 'Kustomization', kustomization());
  store.upsert('superbloom', 'Kustomization', kustomization()); // same resourceVersion: no event
  const changed = kustomization();
  changed.metadata.resourceVersion = '1002';
  store.upsert('superbloom', 'Kustomization', changed);
  store.remove({ cluster: 'superbloom', kind: 'Kustomization', namespace: 'flux-system', name: 'apps' });
  store.remove({ cluster: 'superbloom', kind: 'Kustomization', namespace: 'flux-system', name: 'apps' });
  assert.deepEqual(events.map(summary), [
    ['added superbloom/Kustomization/flux-system/apps'],
    ['updated superbloom/Kustomization/flux-system/apps'],
    ['removed superbloom/Kustomization/flux-system/apps'],
  ]);
});

test('the same name in another cluster or kind is another key', () => {
  const store = new StatusStore();
  store.upsert('a', 'Kustomization', kustomization());
  store.upsert('b', 'Kustomization', kustomization());
  store.upsert('a', 'GitRepository', gitRepository());
  assert.equal(store.size, 3);
  assert.equal(store.list({ cluster: 'a' }).length, 2);
  assert.equal(store.list({ kind: 'Kustomization' }).length, 2);
  assert.equal(
    store.status({ cluster: 'a', kind: 'Kustomization', namespace: 'flux-system', name: 'apps' }).state,
    'Ready',
  );
  assert.equal(
    store.status({ cluster: 'c', kind: 'Kustomization', namespace: 'flux-system', name: 'apps' }).state,
    'Unknown',
  );
});

test('replaceKind (a relist) reports only what differs, in one event', () => {
  const store = new StatusStore();
  const a = kustomization();
  const b = kustomization({ metadata: { name: 'infra', namespace: 'flux-system', resourceVersion: '5' } });
  store.replaceKind('c', 'Kustomization', [a, b]);
  store.upsert('c', 'GitRepository', gitRepository());
  const events = recorder(store);
  const b2 = kustomization({ metadata: { name: 'infra', namespace: 'flux-system', resourceVersion: '6' } });
  const n = kustomization({ metadata: { name: 'new', namespace: 'flux-system', resourceVersion: '7' } });
  store.replaceKind('c', 'Kustomization', [b2, n]);
  assert.equal(events.length, 1);
  assert.deepEqual(summary(events[0]).sort(), [
    'added c/Kustomization/flux-system/new',
    'removed c/Kustomization/flux-system/apps',
    'updated c/Kustomization/flux-system/infra',
  ]);
  store.replaceKind('c', 'Kustomization', [b2, n]);
  assert.equal(events.length, 1, 'an identical relist fires nothing');
  assert.equal(store.list({ kind: 'GitRepository' }).length, 1, 'other kinds untouched');
});

test('a namespaced relist leaves other namespaces alone', () => {
  const store = new StatusStore();
  store.upsert('c', 'Kustomization', kustomization());
  store.upsert(
    'c',
    'Kustomization',
    kustomization({ metadata: { name: 'x', namespace: 'team-a', resourceVersion: '1' } }),
  );
  store.replaceKind('c', 'Kustomization', [], 'team-a');
  assert.deepEqual(
    store.list().map((e) => e.ref.namespace),
    ['flux-system'],
  );
});

test('batch coalesces, and add+remove of one key cancels out', () => {
  const store = new StatusStore();
  const events = recorder(store);
  store.batch(() => {
    store.upsert('c', 'Kustomization', kustomization());
    store.upsert('c', 'GitRepository', gitRepository());
    store.remove({ cluster: 'c', kind: 'GitRepository', namespace: 'flux-system', name: 'flux-system' });
  });
  assert.deepEqual(events.map(summary), [['added c/Kustomization/flux-system/apps']]);
});

test('clear removes a cluster; a throwing listener does not break others', () => {
  const store = new StatusStore();
  store.onDidChange(() => {
    throw new Error('view bug');
  });
  const events = recorder(store);
  store.upsert('c', 'Kustomization', kustomization());
  store.upsert('d', 'Kustomization', kustomization());
  store.clear('c');
  assert.equal(store.size, 1);
  assert.equal(events.length, 3);
});

test('health events fire only on change', () => {
  const store = new StatusStore();
  const seen: string[] = [];
  store.onDidChangeHealth((h) => seen.push(h.state));
  const h = { cluster: 'c', context: 'admin', state: 'connected' as const, kinds: [] };
  store.setHealth(h);
  store.setHealth({ ...h });
  store.setHealth({ ...h, state: 'degraded', message: 'forbidden' });
  store.deleteHealth('c');
  assert.deepEqual(seen, ['connected', 'degraded', 'disconnected']);
  assert.equal(store.getHealth('c'), undefined);
});
