/**
 * The tree's root and Flux 2.7 rows on real repositories of ../shared/corpus, read in place:
 * onedr0p/home-ops and buroa/k8s-gitops run the Flux Operator through the flux-instance chart,
 * the official example generates its sources with an ArtifactGenerator.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRepository } from '../../../src/core/repo';
import { buildRepoTree, type RepoNode } from '../../../src/core/tree/repoTree';
import { repoRoot } from '../repo/helpers';

const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');

/** The snapshot's folder, or null (the test skipped, saying why) when the corpus lacks it. */
function snapshot(t: TestContext, name: string): string | null {
  const dir = path.join(corpus, name);
  if (fs.existsSync(dir)) return dir;
  t.skip(`../shared/corpus/${name} absent: the real-repository check did not run`);
  return null;
}

function rows(nodes: RepoNode[]): RepoNode[] {
  return nodes.flatMap((n) => [n, ...rows(n.children)]);
}

for (const [name, owner] of [
  ['onedr0p+home-ops', 'onedr0p'],
  ['buroa+k8s-gitops', 'buroa'],
] as const) {
  test(`${name}: the cluster row names the flux-instance HelmRelease and shows its sync`, (t) => {
    const dir = snapshot(t, name);
    if (!dir) return;
    const tree = buildRepoTree(scanRepository([dir]));
    const clusters = tree.filter((n) => n.kind === 'cluster');
    assert.deepEqual(
      clusters.map((c) => c.label),
      ['cluster'],
    );
    const cluster = clusters[0];
    assert.match(
      cluster.description ?? '',
      /^Flux Operator · HelmRelease flux-system\/flux-instance · Flux 2\.x → 2\.9\.5 · \d+ Kustomizations$/,
    );
    const helmRelease = path.join(dir, 'kubernetes/apps/flux-system/flux-instance/app/helmrelease.yaml');
    assert.equal(cluster.location?.file, helmRelease);
    const tip = cluster.tooltip.split('\n');
    for (const expected of [
      "root: Flux Operator, the values of the flux-instance chart's HelmRelease flux-system/flux-instance",
      'sync: GitRepository',
      `url: https://github.com/${owner}/home-ops`,
      'ref: refs/heads/main',
    ])
      assert.ok(tip.includes(expected), `tooltip lacks "${expected}":\n${cluster.tooltip}`);
    assert.ok(
      tip.some((l) => /^path: (\.\/)?kubernetes\/flux\/cluster$/.test(l)),
      cluster.tooltip,
    );
    // The HelmRelease row itself says which cluster it is the root of.
    const release = rows(tree).find(
      (n) =>
        n.kind === 'object' && n.label === 'HelmRelease flux-instance' && n.location?.file === helmRelease,
    );
    assert.ok(release, 'no row for the flux-instance HelmRelease');
    assert.ok(release.tooltip.split('\n').includes('sync root of cluster cluster'), release.tooltip);
  });
}

test('fluxcd+flux2-kustomize-helm-example: the ArtifactGenerator lists its source and artifacts, Kustomizations name it', (t) => {
  const dir = snapshot(t, 'fluxcd+flux2-kustomize-helm-example');
  if (!dir) return;
  const tree = buildRepoTree(scanRepository([dir]));
  const staging = tree.find((n) => n.kind === 'cluster' && n.label === 'staging');
  assert.ok(staging, `clusters: ${tree.map((n) => n.label).join(', ')}`);
  assert.match(staging.description ?? '', /^flux bootstrap · placeholder gotk-sync\.yaml · /);
  const generator = rows([staging]).find(
    (n) => n.kind === 'object' && n.label === 'ArtifactGenerator flux-system',
  );
  assert.ok(generator, 'no ArtifactGenerator row under staging');
  assert.deepEqual(
    generator.children.map((c) => `${c.label} — ${c.description}`),
    [
      'GitRepository flux-system — @monorepo · sync source of cluster staging',
      'ExternalArtifact infrastructure — @monorepo/infrastructure/** → @artifact/',
      'ExternalArtifact apps — @monorepo/apps/base/** → @artifact/base/ +1',
    ],
  );
  const apps = staging.children.find((n) => n.kind === 'kustomization' && n.label === 'apps');
  assert.ok(apps, `Kustomizations: ${staging.children.map((n) => n.label).join(', ')}`);
  assert.ok(
    apps.tooltip
      .split('\n')
      .includes('source: ExternalArtifact/flux-system/apps (ArtifactGenerator flux-system/flux-system)'),
    apps.tooltip,
  );
});
