/** Flux versions and semver ranges resolved against the known releases; API lifecycle per release line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeApiVersion, latestApiVersion } from '../../../src/core/fluxVersion/apis';
import {
  formatFluxVersion,
  parseFluxVersion,
  resolveFluxVersion,
  satisfiesRange,
} from '../../../src/core/fluxVersion/releases';

const v = (text: string) => {
  const parsed = parseFluxVersion(text);
  assert.ok(parsed, `${text} does not parse`);
  return parsed;
};
const resolved = (spec: string, known?: string[]) => {
  const r = resolveFluxVersion(spec, known);
  return r ? formatFluxVersion(r) : undefined;
};

test('exact versions parse with or without v and with flux- (as CRD labels say)', () => {
  assert.deepEqual(v('v2.7.3'), { major: 2, minor: 7, patch: 3 });
  assert.deepEqual(v('2.9.5'), { major: 2, minor: 9, patch: 5 });
  assert.deepEqual(v('flux-v2.6.4'), { major: 2, minor: 6, patch: 4 });
  assert.equal(parseFluxVersion('2.x'), undefined);
  assert.equal(parseFluxVersion('latest'), undefined);
});

test('a range resolves to the newest known release it admits', () => {
  const known = ['2.6.4', '2.7.0', '2.7.3', '2.7.5', '2.8.0', '2.9.5'];
  assert.equal(resolved('2.x', known), '2.9.5');
  assert.equal(resolved('*', known), '2.9.5');
  assert.equal(resolved('2.7.x', known), '2.7.5');
  assert.equal(resolved('2.7', known), '2.7.5');
  assert.equal(resolved('~2.7.0', known), '2.7.5');
  assert.equal(resolved('^2.6.0', known), '2.9.5');
  assert.equal(resolved('>=2.6.0 <2.8.0', known), '2.7.5');
  assert.equal(resolved('>= 2.6.0 < 2.8.0', known), '2.7.5');
  assert.equal(resolved('2.6.0 - 2.7.3', known), '2.7.3');
  assert.equal(resolved('<2.7.0 || 2.8.x', known), '2.8.0');
  assert.equal(resolved('v2.7.x', known), '2.7.5');
  // An exact version stands for itself, known or not.
  assert.equal(resolved('v2.7.3', known), '2.7.3');
  assert.equal(resolved('2.7.9', known), '2.7.9');
  assert.equal(resolved('3.x', known), undefined);
  assert.equal(resolved('not a range', known), undefined);
});

test('satisfiesRange says undefined for what is not a range', () => {
  assert.equal(satisfiesRange(v('2.7.3'), '2.7.x'), true);
  assert.equal(satisfiesRange(v('2.8.0'), '2.7.x'), false);
  assert.equal(satisfiesRange(v('2.8.0'), 'banana'), undefined);
});

test('the default table resolves the Flux Operator default (2.x) to the newest known 2.9 release', () => {
  assert.equal(resolved('2.x'), '2.9.5');
  assert.equal(resolved('2.8.x'), '2.8.0');
});

test('apiVersions: removed in 2.7 (v1beta1), 2.8 (source/kustomize v1beta2, helm v2beta2), 2.9 (image/notification v1beta2)', () => {
  const at = (apiVersion: string, kind: string, flux: string) => judgeApiVersion(apiVersion, kind, v(flux));
  assert.deepEqual(at('helm.toolkit.fluxcd.io/v2beta1', 'HelmRelease', '2.6.4'), {
    state: 'deprecated',
    since: '2.2',
    target: 'helm.toolkit.fluxcd.io/v2',
  });
  assert.deepEqual(at('helm.toolkit.fluxcd.io/v2beta1', 'HelmRelease', '2.7.3'), {
    state: 'removed',
    since: '2.7',
    target: 'helm.toolkit.fluxcd.io/v2',
  });
  assert.equal(at('source.toolkit.fluxcd.io/v1beta1', 'GitRepository', '2.7.0').state, 'removed');
  assert.equal(at('kustomize.toolkit.fluxcd.io/v1beta1', 'Kustomization', '2.7.0').state, 'removed');
  assert.equal(at('notification.toolkit.fluxcd.io/v1beta1', 'Alert', '2.7.0').state, 'removed');
  assert.equal(at('image.toolkit.fluxcd.io/v1beta1', 'ImagePolicy', '2.7.0').state, 'removed');
  for (const [apiVersion, kind] of [
    ['source.toolkit.fluxcd.io/v1beta2', 'GitRepository'],
    ['source.toolkit.fluxcd.io/v1beta2', 'OCIRepository'],
    ['kustomize.toolkit.fluxcd.io/v1beta2', 'Kustomization'],
    ['helm.toolkit.fluxcd.io/v2beta2', 'HelmRelease'],
  ] as const) {
    assert.equal(at(apiVersion, kind, '2.7.3').state, 'deprecated', `${apiVersion} ${kind} in 2.7.3`);
    assert.equal(at(apiVersion, kind, '2.8.0').state, 'removed', `${apiVersion} ${kind} in 2.8.0`);
  }
  for (const [apiVersion, kind, target] of [
    ['notification.toolkit.fluxcd.io/v1beta2', 'Alert', 'notification.toolkit.fluxcd.io/v1beta3'],
    ['notification.toolkit.fluxcd.io/v1beta2', 'Receiver', 'notification.toolkit.fluxcd.io/v1'],
    ['image.toolkit.fluxcd.io/v1beta2', 'ImageUpdateAutomation', 'image.toolkit.fluxcd.io/v1'],
  ] as const) {
    assert.equal(at(apiVersion, kind, '2.8.0').state, 'deprecated', `${apiVersion} ${kind} in 2.8.0`);
    assert.deepEqual(at(apiVersion, kind, '2.9.5'), { state: 'removed', since: '2.9', target });
  }
  // Current versions, and kinds Flux does not define, are never judged.
  assert.equal(at('helm.toolkit.fluxcd.io/v2', 'HelmRelease', '2.9.5').state, 'current');
  assert.equal(at('notification.toolkit.fluxcd.io/v1beta3', 'Alert', '2.9.5').state, 'current');
  assert.equal(at('apps/v1', 'Deployment', '2.9.5').state, 'current');
  assert.equal(at('v1', 'ConfigMap', '2.9.5').state, 'current');
});

test('migration targets follow flux migrate: image kinds stay v1beta2 for Flux 2.6', () => {
  assert.equal(latestApiVersion('image.toolkit.fluxcd.io', 'ImagePolicy', v('2.6.4')), 'v1beta2');
  assert.equal(latestApiVersion('image.toolkit.fluxcd.io', 'ImagePolicy', v('2.7.0')), 'v1');
  assert.equal(latestApiVersion('notification.toolkit.fluxcd.io', 'Provider', v('2.9.5')), 'v1beta3');
});
