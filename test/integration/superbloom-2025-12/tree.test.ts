import * as assert from 'assert';
import * as vscode from 'vscode';
import { child, labels, scannedTree } from '../treeHelpers';

// The user's repository as it was in December 2025 (../shared/fixtures, read-only copy per run).
describe("the user's repository (superbloom, 2025-12)", () => {
  it('shows superbloom → flux-system, infra, apps and every app folder', async () => {
    const roots = await scannedTree();
    assert.deepStrictEqual(labels(roots), ['superbloom']);
    const cluster = roots[0];
    assert.deepStrictEqual(labels(cluster.children), ['flux-system', 'infra', 'apps']);
    assert.deepStrictEqual(labels(child(cluster, 'infra').children), [
      'caddy',
      'authelia',
      'ddns',
      'alloy',
      'bjw-s.yaml',
      'cnpg-operator.yaml',
    ]);
    assert.deepStrictEqual(labels(child(cluster, 'apps').children), [
      'valkey',
      'postgres',
      'nexus',
      'nexus-worker',
    ]);
  });

  it('shows the HelmRelease chart and marks the SOPS secrets as encrypted', async () => {
    const roots = await scannedTree();
    const nexus = child(child(roots[0], 'apps'), 'nexus');
    assert.match(nexus.description ?? '', /app-template@/);
    const secrets = child(nexus, 'secrets.yaml');
    assert.ok(secrets.tags.includes('sops-encrypted'), secrets.tags.join(' '));
    assert.ok(
      secrets.children.every(
        (object) => object.object?.kind !== 'Secret' || object.object.sops === 'encrypted',
      ),
    );
  });

  it('reports no problems on this repository', async () => {
    await scannedTree();
    const ours = vscode.languages
      .getDiagnostics()
      .flatMap(([uri, diagnostics]) =>
        diagnostics.filter((d) => d.source === 'Flux GitOps').map((d) => `${uri.fsPath}: ${d.message}`),
      );
    assert.deepStrictEqual(ours, []);
  });
});
