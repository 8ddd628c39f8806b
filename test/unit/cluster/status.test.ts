import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deriveStatus,
  nextReconcileDue,
  parseGoDuration,
  shortRevision,
  unknownStatus,
  WAITING_MESSAGE,
} from '../../../src/core/cluster/status';
import { GIT_SHA, OCI_DIGEST, gitRepository, helmRelease, kustomization } from './fixtures';

test('shortRevision cuts 40-128 hex digests to 8, like flux get', () => {
  assert.equal(shortRevision(`main@sha1:${GIT_SHA}`), 'main@sha1:4e5cbb7b');
  assert.equal(shortRevision(`latest@sha256:${OCI_DIGEST}`), 'latest@sha256:d3c1f0a4');
  assert.equal(shortRevision(`sha256:${OCI_DIGEST}`), 'sha256:d3c1f0a4');
  assert.equal(shortRevision(GIT_SHA), '4e5cbb7b');
  assert.equal(shortRevision('6.0.3+4e5cbb7b97d0'), '6.0.3+4e5cbb7b97d0');
  assert.equal(shortRevision('6.5.4'), '6.5.4');
  assert.equal(shortRevision(`a${'f'.repeat(129)}`), `a${'f'.repeat(129)}`);
});

test('Go durations', () => {
  assert.equal(parseGoDuration('10m'), 600_000);
  assert.equal(parseGoDuration('10m0s'), 600_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('500ms'), 500);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('10'), undefined);
  assert.equal(parseGoDuration('10x'), undefined);
  assert.equal(parseGoDuration(''), undefined);
});

test('a reconciled Kustomization is Ready with its applied revision and timing', () => {
  const s = deriveStatus('Kustomization', kustomization());
  assert.equal(s.state, 'Ready');
  assert.equal(s.ready, 'True');
  assert.equal(s.reason, 'ReconciliationSucceeded');
  assert.equal(s.revision, `main@sha1:${GIT_SHA}`);
  assert.equal(s.shortRevision, 'main@sha1:4e5cbb7b');
  assert.equal(s.lastAppliedRevision, `main@sha1:${GIT_SHA}`);
  assert.equal(s.lastHandledReconcileAt, '2026-01-10T09:00:00.123456789Z');
  assert.equal(s.interval, '10m0s');
  assert.equal(s.intervalMs, 600_000);
  assert.equal(s.lastReconcileAt, '2026-01-10T09:00:02Z');
  assert.equal(s.conditions.length, 1);
  assert.deepEqual(s.conditions[0], {
    type: 'Ready',
    status: 'True',
    observedGeneration: 3,
    reason: 'ReconciliationSucceeded',
    message: `Applied revision: main@sha1:${GIT_SHA}`,
    lastTransitionTime: '2026-01-10T09:00:02Z',
  });
  const due = nextReconcileDue(s, new Date('2026-01-10T09:05:00Z'));
  assert.equal(due?.toISOString(), '2026-01-10T09:10:02.000Z');
  const later = nextReconcileDue(s, new Date('2026-01-10T09:25:00Z'));
  assert.equal(later?.toISOString(), '2026-01-10T09:30:02.000Z');
});

test('a failing Kustomization that retries (Ready=False, Reconciling=True) is NotReady', () => {
  const obj = kustomization();
  obj.status = {
    ...obj.status,
    lastAttemptedRevision: 'main@sha1:1111111111111111111111111111111111111111',
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'BuildFailed',
        message: 'kustomize build failed: accumulating resources',
        lastTransitionTime: '2026-01-10T09:10:00Z',
      },
      {
        type: 'Reconciling',
        status: 'True',
        reason: 'ProgressingWithRetry',
        message: 'retrying',
        lastTransitionTime: '2026-01-10T09:10:00Z',
      },
    ],
  };
  const s = deriveStatus('Kustomization', obj);
  assert.equal(s.state, 'NotReady');
  assert.equal(s.reason, 'BuildFailed');
  assert.equal(s.message, 'kustomize build failed: accumulating resources');
  assert.equal(s.shortRevision, 'main@sha1:4e5cbb7b', 'still the last applied revision');
  assert.equal(s.lastAttemptedRevision, 'main@sha1:1111111111111111111111111111111111111111');
});

test('in progress: Ready=Unknown Progressing, or a spec change not yet observed', () => {
  const obj = kustomization();
  obj.status = {
    ...obj.status,
    conditions: [
      { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Reconciliation in progress' },
      { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' },
    ],
  };
  assert.equal(deriveStatus('Kustomization', obj).state, 'Reconciling');
  const newer = kustomization({ metadata: { name: 'apps', namespace: 'flux-system', generation: 4 } });
  assert.equal(deriveStatus('Kustomization', newer).state, 'Reconciling');
});

test('Stalled wins over Ready=False; Suspended over everything', () => {
  const obj = kustomization();
  obj.status = {
    conditions: [
      { type: 'Ready', status: 'False', reason: 'InvalidCELExpression', message: 'bad expr' },
      { type: 'Stalled', status: 'True', reason: 'InvalidCELExpression', message: 'bad expr' },
    ],
  };
  assert.equal(deriveStatus('Kustomization', obj).state, 'Stalled');
  obj.spec = { ...obj.spec, suspend: true };
  const s = deriveStatus('Kustomization', obj);
  assert.equal(s.state, 'Suspended');
  assert.equal(s.suspended, true);
  assert.equal(nextReconcileDue(s, new Date()), undefined);
});

test('no Ready condition: NotReady, "waiting to be reconciled"', () => {
  const s = deriveStatus('GitRepository', {
    metadata: { name: 'x', namespace: 'y' },
    spec: { interval: '1m' },
  });
  assert.equal(s.state, 'NotReady');
  assert.equal(s.ready, 'False');
  assert.equal(s.message, WAITING_MESSAGE);
  assert.equal(s.revision, undefined);
});

test('HelmRelease revision: history[0].chartVersion, else lastAttemptedRevision', () => {
  const released = helmRelease({
    observedGeneration: 1,
    history: [
      {
        chartName: 'podinfo',
        chartVersion: '6.5.4',
        appVersion: '6.5.4',
        status: 'deployed',
        version: 2,
        lastDeployed: '2026-01-10T10:00:00Z',
      },
      { chartName: 'podinfo', chartVersion: '6.5.3', status: 'superseded', version: 1 },
    ],
    lastAttemptedRevision: '6.5.4',
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'UpgradeSucceeded',
        message: 'Helm upgrade succeeded',
        lastTransitionTime: '2026-01-10T09:00:00Z',
      },
      {
        type: 'Released',
        status: 'True',
        reason: 'UpgradeSucceeded',
        message: 'Helm upgrade succeeded',
        lastTransitionTime: '2026-01-10T09:00:00Z',
      },
    ],
  });
  const s = deriveStatus('HelmRelease', released);
  assert.equal(s.state, 'Ready');
  assert.equal(s.revision, '6.5.4');
  assert.equal(s.conditions.length, 2);
  assert.equal(s.lastReconcileAt, '2026-01-10T10:00:00Z');
  const failedInstall = helmRelease({
    lastAttemptedRevision: '6.5.5',
    conditions: [
      { type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'install retries exhausted' },
    ],
  });
  const f = deriveStatus('HelmRelease', failedInstall);
  assert.equal(f.revision, '6.5.5');
  assert.equal(f.state, 'NotReady');
  assert.equal(f.reason, 'InstallFailed');
});

test('sources show artifact.revision', () => {
  const s = deriveStatus('GitRepository', gitRepository());
  assert.equal(s.state, 'Ready');
  assert.equal(s.shortRevision, 'main@sha1:4e5cbb7b');
  assert.equal(s.interval, '1m0s');
  const chart = deriveStatus('HelmChart', gitRepository({ artifact: { revision: '6.0.3+4e5cbb7b97d0' } }));
  assert.equal(chart.shortRevision, '6.0.3+4e5cbb7b97d0');
});

test('unknownStatus is the state of objects not in the cluster', () => {
  assert.equal(unknownStatus().state, 'Unknown');
});
