import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRepository } from '../../../src/core/repo';
import { modelToJson } from '../../../src/core/repo/json';
import { clusterKs, entryNames, rel, sharedFixtures } from './helpers';

// The user's real repository at two points in time, read in place (never copied here).
const dec2025 = path.join(sharedFixtures, 'superbloom-2025-12');
const jun2026 = path.join(sharedFixtures, 'superbloom-2026-06');

test('superbloom-2025-12: cluster superbloom → flux-system, infra, apps with their apps', (t) => {
  if (!fs.existsSync(dec2025)) {
    t.skip('../shared/fixtures/superbloom-2025-12 absent');
    return;
  }
  const model = scanRepository([dec2025]);
  assert.deepEqual(
    model.clusters.map((c) => c.name),
    ['superbloom'],
  );
  assert.deepEqual(clusterKs(model, 'superbloom'), ['flux-system', 'infra', 'apps']);
  assert.deepEqual(entryNames(model, 'superbloom', 'infra'), [
    'caddy',
    'authelia',
    'ddns',
    'alloy',
    'bjw-s',
    'cnpg-operator',
  ]);
  assert.deepEqual(entryNames(model, 'superbloom', 'apps'), ['valkey', 'postgres', 'nexus', 'nexus-worker']);
  // Every Secret is SOPS-encrypted, every reference resolves, nothing is forgotten.
  const secrets = model.objects.filter((o) => o.kind === 'Secret');
  assert.equal(secrets.length, 6);
  assert.ok(secrets.every((s) => s.sops === 'encrypted'));
  assert.deepEqual(model.problems, []);
  // A copy without .git is said once, as a notice of the scan, not as a file's problem.
  assert.equal(model.notices.length, 1);
  assert.match(model.notices[0], /is not a Git checkout/);
  assert.deepEqual(model.orphans, []);
  const nexus = model.objects.find((o) => o.kind === 'HelmRelease' && o.name === 'nexus')!;
  assert.equal(rel(dec2025, nexus.file), 'flux/clusters/superbloom/apps/nexus/release.yaml');
  assert.equal(nexus.namespace, 'nexus');
  assert.deepEqual(nexus.chart, { name: 'app-template', version: '4.1.1' });
  // The 470 KB controllers bundle is parsed too (CRDs, Deployments of the four controllers).
  assert.ok(model.objects.filter((o) => o.kind === 'CustomResourceDefinition').length > 10);
});

test('superbloom-2026-06: secrets tree under the root .sops.yaml; argocd path lives outside flux/', (t) => {
  if (!fs.existsSync(jun2026)) {
    t.skip('../shared/fixtures/superbloom-2026-06 absent');
    return;
  }
  const model = scanRepository([jun2026]);
  assert.deepEqual(clusterKs(model, 'superbloom'), ['flux-system', 'infra', 'secrets', 'argocd']);
  assert.deepEqual(entryNames(model, 'superbloom', 'secrets'), [
    'ddns',
    'hermes',
    'media-mcp',
    'tailscale',
    'namespaces',
  ]);
  const secrets = model.objects.filter((o) => o.kind === 'Secret');
  assert.equal(secrets.length, 4);
  assert.ok(secrets.every((s) => s.sops === 'encrypted' && s.file.endsWith('.enc.yaml')));
  // The only finding: spec.path ./argocd/clusters/superbloom is not part of the fixture.
  const json = modelToJson(model, jun2026);
  assert.deepEqual(json.problems, [
    {
      severity: 'error',
      code: 'path-not-found',
      file: 'flux/clusters/superbloom/argocd.yaml',
      line: 8,
      message: 'spec.path "./argocd/clusters/superbloom" does not exist in the repository.',
    },
  ]);
  const argocd = json.kustomizations.find((k) => k.name === 'argocd')!;
  assert.deepEqual(argocd.dependsOn, ['flux-system/infra', 'flux-system/secrets']);
});
