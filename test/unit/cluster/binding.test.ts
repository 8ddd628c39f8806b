import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BindingInput,
  normaliseFluxPath,
  normaliseGitUrl,
  resolveBinding,
  sameGitRepository,
} from '../../../src/core/cluster/binding';

test('ssh, scp-like and https forms of one repository normalise alike', () => {
  const forms = [
    'ssh://git@github.com/Acme/fleet-infra.git',
    'ssh://git@github.com:22/acme/fleet-infra',
    'git@github.com:acme/fleet-infra.git',
    'git@github.com:acme/fleet-infra',
    'https://github.com/acme/fleet-infra',
    'https://github.com/acme/fleet-infra.git',
    'https://user:token@github.com/acme/fleet-infra.git/',
    'http://GitHub.com/acme/fleet-infra',
    'github.com:acme/fleet-infra.git',
  ];
  for (const form of forms) assert.equal(normaliseGitUrl(form), 'github.com/acme/fleet-infra', form);
});

test('nested groups and self-hosted ports keep the path, drop the port', () => {
  assert.equal(
    normaliseGitUrl('ssh://git@gitlab.example.com:2222/platform/team/fleet.git'),
    'gitlab.example.com/platform/team/fleet',
  );
  assert.equal(
    normaliseGitUrl('https://gitlab.example.com:8443/platform/team/fleet'),
    'gitlab.example.com/platform/team/fleet',
  );
  assert.equal(
    normaliseGitUrl('git@gitlab.example.com:platform/team/fleet.git'),
    'gitlab.example.com/platform/team/fleet',
  );
});

test('different repositories and junk do not match', () => {
  assert.equal(
    sameGitRepository('git@github.com:acme/fleet.git', 'https://github.com/acme/fleet-infra'),
    false,
  );
  assert.equal(sameGitRepository('git@github.com:acme/fleet.git', 'https://gitlab.com/acme/fleet'), false);
  assert.equal(normaliseGitUrl(''), undefined);
  assert.equal(normaliseGitUrl('not a url'), undefined);
  assert.equal(normaliseGitUrl('https://github.com/'), undefined);
  assert.equal(sameGitRepository('', ''), false);
});

test('Flux paths: ./ and trailing slashes do not matter', () => {
  assert.equal(normaliseFluxPath('./clusters/superbloom'), 'clusters/superbloom');
  assert.equal(normaliseFluxPath('clusters/superbloom/'), 'clusters/superbloom');
  assert.equal(normaliseFluxPath('./clusters/../clusters/superbloom'), 'clusters/superbloom');
  assert.equal(normaliseFluxPath('./'), '');
  assert.equal(normaliseFluxPath(undefined), '');
});

const base: BindingInput = {
  cluster: 'superbloom',
  clusterPath: 'clusters/superbloom',
  mapping: {},
  contexts: ['kind-dev', 'superbloom-admin'],
  currentContext: 'superbloom-admin',
  remotes: ['git@github.com:acme/fleet-infra.git'],
  bootstrap: {
    gitRepositoryUrl: 'ssh://git@github.com/acme/fleet-infra',
    rootKustomizationPath: './clusters/superbloom',
  },
};

test('the setting wins over the current context', () => {
  const r = resolveBinding({ ...base, mapping: { superbloom: 'kind-dev' } });
  assert.deepEqual(r, { kind: 'bound', context: 'kind-dev', via: 'setting' });
});

test('a setting naming an unknown context is reported, not silently replaced', () => {
  const r = resolveBinding({ ...base, mapping: { superbloom: 'gone' } });
  assert.equal(r.kind, 'unbound');
  assert.equal(r.kind === 'unbound' && r.reason, 'setting-unknown-context');
});

test('the current context binds when its bootstrap points at this repository and path', () => {
  assert.deepEqual(resolveBinding(base), {
    kind: 'bound',
    context: 'superbloom-admin',
    via: 'current-context',
  });
  // A mapping for another cluster does not matter.
  assert.equal(resolveBinding({ ...base, mapping: { other: 'kind-dev' } }).kind, 'bound');
});

test('the current context does not bind on a different remote, path, or missing bootstrap', () => {
  const reason = (input: BindingInput) => {
    const r = resolveBinding(input);
    return r.kind === 'unbound' ? r.reason : r.kind;
  };
  assert.equal(reason({ ...base, remotes: ['https://github.com/acme/other'] }), 'remote-mismatch');
  assert.equal(
    reason({ ...base, bootstrap: { ...base.bootstrap, rootKustomizationPath: './clusters/staging' } }),
    'path-mismatch',
  );
  assert.equal(reason({ ...base, bootstrap: {} }), 'no-flux-git-repository');
  assert.equal(reason({ ...base, bootstrap: undefined }), 'no-bootstrap-info');
  assert.equal(reason({ ...base, currentContext: undefined }), 'no-current-context');
  assert.equal(reason({ ...base, currentContext: 'missing' }), 'no-current-context');
});
