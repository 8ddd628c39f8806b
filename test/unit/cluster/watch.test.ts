import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusStore } from '../../../src/core/cluster/store';
import { KindWatcher } from '../../../src/core/cluster/watch';
import { FluxApiError } from '../../../src/core/cluster/api';
import { FakeApi } from './fakeApi';
import { kustomization } from './fixtures';

const fast = { initialMs: 5, maxMs: 20, jitter: 0 };

function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out: ${what}`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

test('lists, then watches from the list resourceVersion with bookmarks; applies events', async () => {
  const api = new FakeApi();
  api.add('Kustomization', kustomization());
  const store = new StatusStore();
  const w = new KindWatcher({ api, store, cluster: 'c', kind: 'Kustomization', backoff: fast });
  w.start();
  const s1 = await api.nextSession(1);
  assert.equal(s1.params.resourceVersion, '101');
  assert.equal(store.size, 1);
  // 'watching' once the server has answered the watch request (the fake answers at once).
  await until(() => w.health.state === 'watching', `watching, not ${w.health.state}`);
  s1.emit('ADDED', kustomization({ metadata: { name: 'b', namespace: 'ns', resourceVersion: '150' } }));
  s1.emit('BOOKMARK', { metadata: { name: '', resourceVersion: '160' } });
  assert.equal(store.size, 2);
  s1.emit('DELETED', kustomization({ metadata: { name: 'b', namespace: 'ns', resourceVersion: '170' } }));
  assert.equal(store.size, 1);
  // The server ends the watch normally: resume from the last version, no relist.
  s1.end();
  const s2 = await api.nextSession(2);
  assert.equal(s2.params.resourceVersion, '170');
  assert.equal(api.lists.length, 1);
  await w.stop();
  assert.equal(s2.aborted, true);
  assert.equal(w.health.state, 'stopped');
});

test('410 Gone (ERROR event) relists', async () => {
  const api = new FakeApi();
  const store = new StatusStore();
  const w = new KindWatcher({ api, store, cluster: 'c', kind: 'Kustomization', backoff: fast });
  w.start();
  const s1 = await api.nextSession(1);
  api.add('Kustomization', kustomization());
  s1.emit('ERROR', { code: 410, reason: 'Expired', message: 'too old resource version' } as never);
  s1.end();
  const s2 = await api.nextSession(2);
  assert.equal(api.lists.length, 2);
  assert.equal(s2.params.resourceVersion, '102');
  assert.equal(store.size, 1, 'the relist brought the object');
  await w.stop();
});

test('errors back off, relist, and recover; forbidden is reported', async () => {
  const api = new FakeApi();
  const store = new StatusStore();
  let fail: FluxApiError | undefined = new FluxApiError({
    kind: 'unreachable',
    message: 'connect ECONNREFUSED',
  });
  const list = api.listResult;
  api.listResult = (kind, ns) => {
    if (fail) throw fail;
    return list(kind, ns);
  };
  const states: string[] = [];
  const logs: string[] = [];
  const w = new KindWatcher({
    api,
    store,
    cluster: 'c',
    kind: 'Kustomization',
    backoff: fast,
    onHealth: (h) => states.push(h.state),
    log: (m) => logs.push(m),
  });
  w.start();
  await until(() => api.lists.length >= 3, 'three attempts');
  assert.ok(states.includes('retrying'));
  assert.equal(logs.filter((l) => l.includes('ECONNREFUSED')).length, 1, 'a repeated failure is logged once');
  fail = undefined;
  const s = await api.nextSession(1);
  await until(() => w.health.state === 'watching', `watching, not ${w.health.state}`);
  s.end(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  await api.nextSession(2);
  assert.ok(api.lists.length >= 4, 'relisted after the watch error');
  fail = new FluxApiError({ kind: 'forbidden', status: 403, message: 'kustomizations is forbidden' });
  api.sessions[1].end(new Error('boom'));
  await until(() => w.health.state === 'forbidden', 'forbidden');
  assert.equal(w.health.message, 'kustomizations is forbidden');
  await w.stop();
});

test('forbidden at cluster scope falls back to the context namespace', async () => {
  const api = new FakeApi();
  api.add(
    'Kustomization',
    kustomization({ metadata: { name: 'x', namespace: 'team-a', resourceVersion: '1' } }),
  );
  const list = api.listResult;
  api.listResult = (kind, ns) => {
    if (ns === undefined) throw new FluxApiError({ kind: 'forbidden', status: 403, message: 'forbidden' });
    return list(kind, ns);
  };
  const store = new StatusStore();
  const w = new KindWatcher({
    api,
    store,
    cluster: 'c',
    kind: 'Kustomization',
    backoff: fast,
    fallbackNamespace: 'team-a',
  });
  w.start();
  const s = await api.nextSession(1);
  assert.equal(s.namespace, 'team-a');
  assert.equal(w.health.namespace, 'team-a');
  assert.equal(store.size, 1);
  await w.stop();
});

test('stop during a backoff wait ends at once', async () => {
  const api = new FakeApi();
  api.listResult = () => {
    throw new FluxApiError({ kind: 'unreachable', message: 'down' });
  };
  const w = new KindWatcher({
    api,
    store: new StatusStore(),
    cluster: 'c',
    kind: 'Kustomization',
    backoff: { initialMs: 60_000, jitter: 0 },
  });
  w.start();
  await until(() => api.lists.length === 1, 'first attempt');
  const t = Date.now();
  await w.stop();
  assert.ok(Date.now() - t < 500);
});
