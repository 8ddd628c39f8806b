import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RepoNode } from '../../../src/core/tree/repoTree';
import { child, labels, scannedTree } from '../treeHelpers';

const roots = scannedTree;

/** The cluster node whose folder is `<root>/<relative>`. */
async function cluster(root: string, relative: string): Promise<RepoNode> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => path.basename(f.uri.fsPath) === root);
  assert.ok(folder, `no workspace folder ${root}`);
  const expected = path.join(folder.uri.fsPath, relative);
  const nodes = await roots();
  const found = nodes.find((node) => node.id === `cluster:${expected}`);
  assert.ok(found, `no cluster at ${expected}; clusters: ${nodes.map((n) => n.id).join(', ')}`);
  return found;
}

describe('the Flux tree on common layouts (a multi-root workspace)', () => {
  it('opens every layout as its own root', () => {
    const names = (vscode.workspace.workspaceFolders ?? []).map((f) => f.name).sort();
    assert.deepStrictEqual(names, [
      'bad-input',
      'cluster-template',
      'flux-example',
      'multi-tenancy',
      'superbloom-like',
    ]);
  });

  it('the official Flux example: both clusters share apps/base through ../ references', async () => {
    for (const env of ['staging', 'production']) {
      const node = await cluster('flux-example', `clusters/${env}`);
      // Two roots have a staging cluster: names stay unique within the model.
      assert.ok(node.label === env || node.label === `clusters/${env}`, node.label);
      assert.match(node.description ?? '', /flux-example/);
      assert.deepStrictEqual(labels(node.children), [
        'flux-system',
        'infra-controllers',
        'infra-configs',
        'apps',
      ]);
      const apps = child(node, 'apps');
      const shared = child(apps, 'podinfo');
      const release = child(shared, 'release.yaml');
      assert.ok(
        release.location?.file.endsWith(path.join('flux-example', 'apps', 'base', 'podinfo', 'release.yaml')),
        release.location?.file,
      );
      // The values patch is a patch, not a resource: it is not listed as applied.
      assert.ok(!JSON.stringify(labels(apps.children)).includes('podinfo-values'));
    }
  });

  it("onedr0p's cluster-template: per-app ks.yaml with targetNamespace", async () => {
    const nodes = await roots();
    const node = nodes.find((n) => n.id.includes(`${path.sep}cluster-template${path.sep}`));
    assert.ok(node, `no cluster-template cluster: ${labels(nodes).join(', ')}`);
    const echo = node.children.find((c) => c.label === 'echo');
    assert.ok(echo, `kustomizations: ${labels(node.children).join(', ')}`);
    assert.strictEqual(echo.kustomization?.targetNamespace, 'default');
    const release = JSON.stringify(echo.children.map((c) => c.children.map((o) => o.object)));
    assert.ok(release.includes('"namespace":"default"'), release);
  });

  it('multi-tenancy: tenants applied from the platform repository', async () => {
    const node = await cluster('multi-tenancy', 'clusters/staging');
    assert.deepStrictEqual(labels(node.children).slice(0, 3), ['flux-system', 'infrastructure', 'tenants']);
  });

  it('a superbloom-like repository: flux-system, infra, apps with one folder per app', async () => {
    const node = await cluster('superbloom-like', 'flux/clusters/demo');
    assert.deepStrictEqual(labels(node.children), ['flux-system', 'infra', 'apps']);
    assert.ok(child(node, 'apps').children.length > 0);
  });

  it('bad input is reported as problems, and the other roots still scan', async () => {
    await roots();
    const problems = vscode.languages
      .getDiagnostics()
      .filter(([uri]) => uri.fsPath.includes(`${path.sep}bad-input${path.sep}`))
      .flatMap(([, diagnostics]) => diagnostics.filter((d) => d.source === 'Flux GitOps'));
    assert.ok(problems.length > 0, 'no problems reported for bad-input');
    const codes = new Set(problems.map((d) => String(d.code)));
    assert.ok(codes.size >= 2, `codes: ${[...codes].join(', ')}`);
  });
});
