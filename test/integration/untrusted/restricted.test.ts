import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startCluster, type Cluster } from '../../env/cluster';
import { StatusWriter } from '../../env/status-writer';
import { CommandId } from '../../../src/platform/commandIds';
import { getExtension, workspaceRoot } from '../helpers';
import { scannedTree } from '../treeHelpers';
import * as k8s from '@kubernetes/client-node';

// The sample opened in restricted mode (workspace trust on, never granted).
describe('an untrusted workspace', function () {
  this.timeout(240_000);
  let cluster: Cluster | undefined;

  after(async () => {
    await vscode.workspace
      .getConfiguration('fluxGitops')
      .update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('fluxGitops')
      .update('clusterContexts', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('fluxGitops')
      .update('sops.engine', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('fluxGitops')
      .update('sops.path', undefined, vscode.ConfigurationTarget.Global);
    await cluster?.stop();
  });

  it('is untrusted, and the extension still shows the repository', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const roots = await scannedTree();
    assert.deepStrictEqual(
      roots.map((r) => r.label),
      ['homelab'],
    );
  });

  it('does not contact the cluster and makes no cluster change, even with a context bound', async () => {
    cluster = await startCluster({ namespaces: ['podinfo'] });
    const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig('admin'));
    await objects.create({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'podinfo' },
      spec: { interval: '30m', chartRef: { kind: 'OCIRepository', name: 'podinfo' } },
    } as k8s.KubernetesObject);
    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update('kubeconfig', cluster.kubeconfig, vscode.ConfigurationTarget.Global);
    await settings.update('clusterContexts', { homelab: 'admin' }, vscode.ConfigurationTarget.Global);
    await getExtension().exports.syncClusters();
    const binding = getExtension().exports.clusterBindings().get('homelab');
    assert.strictEqual(binding?.kind, 'unbound');
    assert.match(binding.kind === 'unbound' ? binding.message : '', /not trusted/);
    assert.strictEqual(getExtension().exports.clusterStore?.size, 0);

    const ref = { kind: 'HelmRelease' as const, namespace: 'podinfo', name: 'podinfo' };
    const before = await new StatusWriter(cluster.kubeConfig('admin')).get(ref);
    const result = await vscode.commands.executeCommand(
      CommandId.suspend,
      { cluster: 'homelab', ...ref },
      { confirmed: true },
    );
    assert.strictEqual(result, undefined, 'the action ran');
    const after = await new StatusWriter(cluster.kubeConfig('admin')).get(ref);
    assert.strictEqual(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.notStrictEqual(after.spec?.suspend, true);
  });

  it('runs no sops binary: encrypting with the CLI engine refuses and leaves the file as it was', async () => {
    // With this real sops and engine, the trusted sample run encrypts the same file.
    const sops = path.join(
      process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops'),
      'bin',
      'sops',
    );
    assert.ok(fs.existsSync(sops), `the real sops is missing at ${sops}`);
    await vscode.workspace
      .getConfiguration('fluxGitops')
      .update('sops.path', sops, vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('fluxGitops')
      .update('sops.engine', 'cli', vscode.ConfigurationTarget.Global);
    const file = path.join(workspaceRoot(), 'flux', 'clusters', 'homelab', 'apps', 'redis', 'secrets.yaml');
    const plain =
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: redis-auth\n  namespace: redis\nstringData:\n  password: untrusted-plain\n';
    fs.writeFileSync(file, plain);
    const ok = await vscode.commands.executeCommand<boolean>(CommandId.sopsEncrypt, vscode.Uri.file(file));
    assert.strictEqual(ok, false);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), plain);
    fs.rmSync(file);
  });
});
