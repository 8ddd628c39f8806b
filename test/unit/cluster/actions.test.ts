import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FluxApiError } from '../../../src/core/cluster/api';
import { StatusStore } from '../../../src/core/cluster/store';
import {
  reconcilePatch,
  requestReconcile,
  resume,
  resumePatch,
  sourceRefFor,
  suspend,
  withSourceChain,
} from '../../../src/core/flux/actions';
import { completionOf, reconcile, waitForReconcile } from '../../../src/core/flux/completion';
import { newRequestToken, rfc3339Nano } from '../../../src/core/flux/token';
import { deriveStatus, FluxObject } from '../../../src/core/cluster/status';
import { FakeApi } from './fakeApi';
import { gitRepository, helmRelease, kustomization } from './fixtures';

test('RFC3339Nano tokens: UTC, fraction without trailing zeros', () => {
  assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z');
  assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.120Z')), '2026-01-02T03:04:05.12Z');
  assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.120Z'), 3400), '2026-01-02T03:04:05.1200034Z');
  assert.match(newRequestToken(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
});

test('patches are exactly what flux sends', () => {
  const hr = { kind: 'HelmRelease' as const, namespace: 'apps', name: 'podinfo' };
  const ks = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
  assert.deepEqual(reconcilePatch(ks, 'T', { force: true }), {
    metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'T' } },
  });
  assert.deepEqual(reconcilePatch(hr, 'T', { force: true, reset: true }), {
    metadata: {
      annotations: {
        'reconcile.fluxcd.io/requestedAt': 'T',
        'reconcile.fluxcd.io/forceAt': 'T',
        'reconcile.fluxcd.io/resetAt': 'T',
      },
    },
  });
  assert.deepEqual(resumePatch(), { spec: { suspend: null } });
  assert.deepEqual(resumePatch('T'), {
    spec: { suspend: null },
    metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'T' } },
  });
});

test('requestReconcile refuses suspended objects and static OCI HelmRepositories, without writing', async () => {
  const api = new FakeApi();
  const suspended = kustomization();
  suspended.spec = { ...suspended.spec, suspend: true };
  api.add('Kustomization', suspended);
  api.add('HelmRepository', {
    metadata: { name: 'oci', namespace: 'flux-system' },
    spec: { type: 'oci', url: 'oci://x' },
  });
  const r1 = await requestReconcile(api, { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' });
  assert.equal(r1.kind, 'suspended');
  const r2 = await requestReconcile(api, { kind: 'HelmRepository', namespace: 'flux-system', name: 'oci' });
  assert.equal(r2.kind, 'not-supported');
  const r3 = await requestReconcile(api, { kind: 'GitRepository', namespace: 'x', name: 'missing' });
  assert.equal(r3.kind, 'error');
  assert.match(r3.kind === 'error' ? r3.message : '', /not found/);
  assert.equal(api.patches.length, 0);
});

test('requestReconcile, suspend, resume patch once each; forbidden is explained', async () => {
  const api = new FakeApi();
  api.add('Kustomization', kustomization());
  const ref = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
  const r = await requestReconcile(api, ref, { token: 'T1' });
  assert.equal(r.kind, 'requested');
  assert.equal((await suspend(api, ref)).kind, 'done');
  const res = await resume(api, ref, { token: 'T2' });
  assert.equal(res.kind === 'done' && res.token, 'T2');
  assert.deepEqual(
    api.patches.map((p) => p.patch),
    [
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'T1' } } },
      { spec: { suspend: true } },
      { spec: { suspend: null }, metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'T2' } } },
    ],
  );
  api.patchError = new FluxApiError({
    kind: 'forbidden',
    status: 403,
    message: 'User "v" cannot patch resource',
  });
  const denied = await suspend(api, ref);
  assert.equal(denied.kind, 'error');
  assert.match(
    denied.kind === 'error' ? denied.message : '',
    /^cannot suspend Kustomization flux-system\/apps: forbidden: User "v"/,
  );
});

test('with-source targets', () => {
  const ks = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
  assert.deepEqual(sourceRefFor(ks, kustomization()), {
    kind: 'GitRepository',
    namespace: 'flux-system',
    name: 'flux-system',
  });
  const hr = { kind: 'HelmRelease' as const, namespace: 'apps', name: 'podinfo' };
  assert.deepEqual(sourceRefFor(hr, helmRelease({})), {
    kind: 'HelmChart',
    namespace: 'flux-system',
    name: 'apps-podinfo',
  });
  assert.deepEqual(
    sourceRefFor(
      hr,
      helmRelease({}, { chart: undefined, chartRef: { kind: 'OCIRepository', name: 'podinfo' } }),
    ),
    {
      kind: 'OCIRepository',
      namespace: 'apps',
      name: 'podinfo',
    },
  );
  const hc = { kind: 'HelmChart' as const, namespace: 'flux-system', name: 'apps-podinfo' };
  assert.deepEqual(
    sourceRefFor(hc, {
      metadata: { name: 'apps-podinfo' },
      spec: { sourceRef: { kind: 'HelmRepository', name: 'podinfo' } },
    }),
    {
      kind: 'HelmRepository',
      namespace: 'flux-system',
      name: 'podinfo',
    },
  );
  assert.equal(
    sourceRefFor({ kind: 'GitRepository', namespace: 'a', name: 'b' }, gitRepository()),
    undefined,
  );
});

test('withSourceChain: HelmRelease → HelmChart → HelmRepository, deepest first', async () => {
  const api = new FakeApi();
  api.add('HelmRelease', helmRelease({}));
  api.add('HelmChart', {
    metadata: { name: 'apps-podinfo', namespace: 'flux-system' },
    spec: { sourceRef: { kind: 'HelmRepository', name: 'podinfo' } },
  });
  api.add('HelmRepository', { metadata: { name: 'podinfo', namespace: 'flux-system' }, spec: {} });
  const chain = await withSourceChain(api, { kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' });
  assert.deepEqual(
    chain.map((r) => `${r.kind}/${r.namespace}/${r.name}`),
    ['HelmRepository/flux-system/podinfo', 'HelmChart/flux-system/apps-podinfo', 'HelmRelease/apps/podinfo'],
  );
});

function withStatus(obj: FluxObject, rv: string, status: Record<string, unknown>): FluxObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: rv }, status: { ...obj.status, ...status } };
}

const cref = { cluster: 'c', kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };

test('completionOf: only our token with Ready settled (or Stalled) completes', () => {
  const base = kustomization();
  const inProgress = withStatus(base, '2', {
    lastHandledReconcileAt: 'T',
    conditions: [
      { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' },
    ],
  });
  assert.equal(completionOf(cref, 'T', inProgress, deriveStatus('Kustomization', inProgress)), undefined);
  const older = withStatus(base, '3', { lastHandledReconcileAt: 'OLD' });
  assert.equal(completionOf(cref, 'T', older, deriveStatus('Kustomization', older)), undefined);
  const ok = withStatus(base, '4', { lastHandledReconcileAt: 'T' });
  const r = completionOf(cref, 'T', ok, deriveStatus('Kustomization', ok));
  assert.equal(r?.kind, 'succeeded');
  assert.match(r?.message ?? '', /^applied revision main@sha1:4e5cbb7b97d0/);
  const failed = withStatus(base, '5', {
    lastHandledReconcileAt: 'T',
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'HealthCheckFailed',
        message: 'timeout waiting for: [Deployment/apps/podinfo]',
      },
      { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: '' },
    ],
  });
  const f = completionOf(cref, 'T', failed, deriveStatus('Kustomization', failed));
  assert.equal(f?.kind, 'failed');
  assert.equal(f?.kind === 'failed' && f.reason, 'HealthCheckFailed');
  assert.equal(f?.kind === 'failed' && f.stalled, false);
  const stalled = withStatus(base, '6', {
    lastHandledReconcileAt: 'T',
    conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidCELExpression', message: 'bad' }],
  });
  const s = completionOf(cref, 'T', stalled, deriveStatus('Kustomization', stalled));
  assert.equal(s?.kind === 'failed' && s.stalled, true);
});

test('waitForReconcile follows store events; timeout and abort', async () => {
  const store = new StatusStore();
  const base = kustomization();
  store.upsert('c', 'Kustomization', base);
  const waiting = waitForReconcile(store, cref, 'T', { timeoutMs: 2000 });
  store.upsert(
    'c',
    'Kustomization',
    withStatus(base, '2', { conditions: [{ type: 'Ready', status: 'Unknown' }] }),
  );
  store.upsert('c', 'Kustomization', withStatus(base, '3', { lastHandledReconcileAt: 'T' }));
  assert.equal((await waiting).kind, 'succeeded');

  const timeout = await waitForReconcile(store, cref, 'NEVER', { timeoutMs: 20 });
  assert.equal(timeout.kind, 'timeout');
  const controller = new AbortController();
  const cancelled = waitForReconcile(store, cref, 'NEVER', { signal: controller.signal });
  controller.abort();
  assert.equal((await cancelled).kind, 'cancelled');
  const gone = waitForReconcile(store, cref, 'NEVER', { timeoutMs: 2000 });
  store.remove(cref);
  assert.equal((await gone).kind, 'deleted');
});

test('reconcile with source: the source is requested and awaited first, then the object', async () => {
  const api = new FakeApi();
  const store = new StatusStore();
  const ks = kustomization();
  const git = gitRepository();
  api.add('Kustomization', ks);
  api.add('GitRepository', git);
  // A controller stand-in: every patch is answered through the store, as the watch would.
  let rv = 10;
  const original = api.mergePatch.bind(api);
  api.mergePatch = async (ref, patch) => {
    const result = await original(ref, patch);
    const token = (patch.metadata as { annotations: Record<string, string> }).annotations[
      'reconcile.fluxcd.io/requestedAt'
    ];
    const obj = ref.kind === 'GitRepository' ? git : ks;
    setTimeout(
      () => store.upsert('c', ref.kind, withStatus(obj, String(rv++), { lastHandledReconcileAt: token })),
      5,
    );
    return result;
  };
  const steps: string[] = [];
  const outcome = await reconcile(
    api,
    store,
    'c',
    { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
    {
      withSource: true,
      timeoutMs: 2000,
      onStep: (r) => steps.push(r.kind),
    },
  );
  assert.equal(outcome.ok, true, outcome.message);
  assert.deepEqual(steps, ['GitRepository', 'Kustomization']);
  assert.deepEqual(
    api.patches.map((p) => p.ref.kind),
    ['GitRepository', 'Kustomization'],
  );
  assert.match(outcome.message, /^applied revision main@sha1:/);
  assert.equal(outcome.steps[0].completion?.kind, 'succeeded');
});
