import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeApiError } from '../../../src/core/cluster/api';
import { summariseHealth } from '../../../src/core/cluster/connection';
import { KindHealth } from '../../../src/core/cluster/store';

test('API errors are classified with the server message', () => {
  const forbidden = describeApiError({
    code: 403,
    body: JSON.stringify({
      kind: 'Status',
      message: 'kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User "viewer" cannot list resource',
      reason: 'Forbidden',
      code: 403,
    }),
  });
  assert.deepEqual(forbidden, {
    kind: 'forbidden',
    status: 403,
    message: 'kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User "viewer" cannot list resource',
  });
  assert.equal(describeApiError({ code: 401 }).kind, 'unauthorized');
  assert.match(describeApiError({ code: 401 }).message, /^Unauthorized: the server rejected the credentials/);
  assert.equal(
    describeApiError({ code: 404, body: { message: 'the server could not find the requested resource' } })
      .kind,
    'not-found',
  );
  assert.equal(describeApiError({ statusCode: 410, message: 'Gone' }).kind, 'gone');
  assert.equal(describeApiError({ code: 503, body: 'unavailable' }).kind, 'server');
  assert.equal(
    describeApiError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
    ).kind,
    'unreachable',
  );
  assert.equal(
    describeApiError(new Error('request to https://x failed, reason: socket hang up')).kind,
    'unreachable',
  );
  assert.equal(
    describeApiError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })).kind,
    'tls',
  );
  assert.equal(
    describeApiError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })).kind,
    'aborted',
  );
  assert.equal(describeApiError('weird').kind, 'other');
});

const k = (state: KindHealth['state'], message?: string): KindHealth => ({
  kind: 'Kustomization',
  state,
  ...(message ? { message } : {}),
});

test('cluster health sums the kinds', () => {
  assert.equal(summariseHealth('c', 'ctx', []).state, 'connecting');
  assert.equal(summariseHealth('c', 'ctx', [], 'connect ECONNREFUSED').state, 'error');
  assert.equal(summariseHealth('c', 'ctx', [k('watching'), k('watching')]).state, 'connected');
  assert.equal(summariseHealth('c', 'ctx', [k('watching'), k('not-served')]).state, 'connected');
  assert.equal(summariseHealth('c', 'ctx', [k('listing'), k('starting')]).state, 'connecting');
  const degraded = summariseHealth('c', 'ctx', [k('watching'), k('forbidden', 'helmreleases is forbidden')]);
  assert.deepEqual([degraded.state, degraded.message], ['degraded', 'helmreleases is forbidden']);
  const down = summariseHealth('c', 'ctx', [k('retrying', 'ECONNREFUSED'), k('retrying', 'ECONNREFUSED')]);
  assert.deepEqual([down.state, down.message], ['error', 'ECONNREFUSED']);
  const noCrds = summariseHealth('c', 'ctx', [k('not-served')]);
  assert.deepEqual([noCrds.state, noCrds.message], ['error', 'the Flux CRDs are not installed']);
  assert.equal(summariseHealth('c', 'ctx', [k('stopped'), k('stopped')]).state, 'disconnected');
});
