import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { child, labels, scannedTree } from '../treeHelpers';

// The user's repository in June 2026: secrets moved to their own Kustomization, .sops.yaml at the root.
describe("the user's repository (superbloom, 2026-06)", () => {
  it('shows the secrets tree with every secret encrypted', async () => {
    const roots = await scannedTree();
    assert.deepStrictEqual(labels(roots), ['superbloom']);
    assert.deepStrictEqual(labels(roots[0].children), ['flux-system', 'infra', 'secrets', 'argocd']);
    const secrets = child(roots[0], 'secrets');
    assert.deepStrictEqual(labels(secrets.children), [
      'ddns',
      'hermes',
      'media-mcp',
      'tailscale',
      'namespaces.yaml',
    ]);
    for (const app of secrets.children.filter((c) => c.kind === 'folder')) {
      assert.ok(
        app.children.length > 0 && app.children.every((file) => file.tags.includes('sops-encrypted')),
        app.label,
      );
    }
  });

  it('reports the one real finding: the argocd Kustomization points at a path this repository does not have', async () => {
    await scannedTree();
    const ours = vscode.languages
      .getDiagnostics()
      .flatMap(([uri, diagnostics]) =>
        diagnostics
          .filter((d) => d.source === 'Flux GitOps')
          .map((d) => ({ file: path.basename(uri.fsPath), code: String(d.code) })),
      );
    assert.deepStrictEqual(ours, [{ file: 'argocd.yaml', code: 'path-not-found' }]);
  });
});
