import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { CommandId } from '../../../src/platform/commandIds';
import { getExtension, waitFor, workspaceRoot } from '../helpers';
import { child, labels, scannedTree } from '../treeHelpers';

const tree = scannedTree;

describe('the Flux tree on the sample repository', () => {
  it('shows cluster → Flux Kustomizations in dependency order → apps → manifests → objects', async () => {
    const roots = await tree();
    assert.deepStrictEqual(labels(roots), ['homelab']);
    const cluster = roots[0];
    assert.deepStrictEqual(labels(cluster.children), ['flux-system', 'infra', 'apps']);
    const infra = child(cluster, 'infra');
    assert.deepStrictEqual(labels(infra.children), ['cert-manager', 'ingress-nginx', 'jetstack.yaml']);
    const apps = child(cluster, 'apps');
    assert.deepStrictEqual(labels(apps.children), ['podinfo', 'redis']);
    const release = child(child(apps, 'podinfo'), 'release.yaml');
    assert.deepStrictEqual(labels(release.children), ['OCIRepository podinfo', 'HelmRelease podinfo']);
    const helmRelease = release.children[1];
    assert.strictEqual(helmRelease.object?.namespace, 'podinfo');
    assert.strictEqual(helmRelease.location?.line, 12);
    assert.ok(helmRelease.tags.includes('helmrelease') && helmRelease.tags.includes('flux'));
    const secret = child(child(apps, 'podinfo'), 'secrets.yaml');
    assert.ok(secret.tags.includes('sops-encrypted'), `secrets.yaml tags: ${secret.tags.join(' ')}`);
  });

  it('opens an object at its line when its node is clicked', async () => {
    const roots = await tree();
    const release = child(child(child(roots[0], 'apps'), 'redis'), 'release.yaml');
    const helmRelease = release.children.find((c) => c.label === 'HelmRelease redis');
    assert.ok(helmRelease?.location);
    await vscode.commands.executeCommand(
      CommandId.openObject,
      helmRelease.location.file,
      helmRelease.location.line,
    );
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.strictEqual(editor.document.uri.fsPath, helmRelease.location.file);
    assert.strictEqual(editor.selection.active.line + 1, helmRelease.location.line);
    assert.match(
      editor.document.lineAt(editor.selection.active.line).text,
      /^apiVersion: helm\.toolkit\.fluxcd\.io/,
    );
  });

  it('reports an app folder that nothing applies, and clears it once the parent kustomization.yaml lists it', async () => {
    await tree();
    const appsDir = path.join(workspaceRoot(), 'flux', 'clusters', 'homelab', 'apps');
    const newApp = path.join(appsDir, 'whoami');
    fs.mkdirSync(newApp, { recursive: true });
    fs.writeFileSync(
      path.join(newApp, 'ns.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: whoami\n',
    );
    fs.writeFileSync(
      path.join(newApp, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ns.yaml\n',
    );
    const unapplied = () =>
      vscode.languages
        .getDiagnostics()
        .flatMap(([uri, diagnostics]) => diagnostics.map((d) => ({ file: uri.fsPath, d })))
        .filter(({ d }) => d.source === 'Flux GitOps' && d.message.includes('whoami'));
    const found = await waitFor('a problem about the unapplied folder', () =>
      unapplied().length > 0 ? unapplied() : undefined,
    );
    assert.ok(
      found.some(
        ({ d }) =>
          d.severity === vscode.DiagnosticSeverity.Warning || d.severity === vscode.DiagnosticSeverity.Error,
      ),
    );

    // Fix it the way a user does: edit the parent kustomization.yaml in the editor and save.
    const parent = await vscode.workspace.openTextDocument(path.join(appsDir, 'kustomization.yaml'));
    const editor = await vscode.window.showTextDocument(parent);
    await editor.edit((edit) => edit.insert(new vscode.Position(parent.lineCount, 0), '  - whoami\n'));
    assert.ok(await parent.save());
    await waitFor('the problem to clear', () => (unapplied().length === 0 ? true : undefined));
    const roots = await tree();
    await waitFor('whoami in the tree', () =>
      getExtension()
        .exports.repositoryTree()[0]
        ?.children.find((c) => c.label === 'apps')
        ?.children.some((c) => c.label === 'whoami')
        ? true
        : undefined,
    );
    assert.ok(roots.length > 0);
  });
});
