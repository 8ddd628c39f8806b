import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startCluster, type Cluster } from '../../env/cluster';
import { DEMO_CHART, FLEET_CLUSTER, FLEET_REPO, fleetFiles } from '../../env/fleet';
import type { FluxObject } from '../../env/status-writer';
import { CommandId } from '../../../src/platform/commandIds';
import { getExtension, waitFor, workspaceRoot } from '../helpers';
import { scannedTree } from '../treeHelpers';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

// The sample opened in restricted mode (workspace trust on, never granted), with real Flux
// running in the test cluster it is bound to: the extension neither contacts nor changes it.
describe('an untrusted workspace', function () {
  this.timeout(300_000);
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
    // Real Flux reconciling a small fleet (test/env/fleet.ts) from the local Git server: the
    // objects an action would change are live, with the status the controllers keep writing.
    cluster = await startCluster({ flux: true });
    const flux = cluster.fluxEnv;
    assert.ok(flux);
    await flux.publishChart(DEMO_CHART);
    const urls = { gitUrl: flux.gitUrl, helmRepoUrl: flux.helmRepoUrl };
    await flux.createRepo(FLEET_REPO, fleetFiles(urls));
    const kc = cluster.kubeConfig('admin');
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const doc of parseAllDocuments(
      fleetFiles(urls)[`clusters/${FLEET_CLUSTER}/flux-system/gotk-sync.yaml`],
    ))
      await objects.create(doc.toJSON() as k8s.KubernetesObject);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const infra = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'infra' };
    const read = async () =>
      (await custom.getNamespacedCustomObject({
        group: 'kustomize.toolkit.fluxcd.io',
        version: 'v1',
        namespace: infra.namespace,
        plural: 'kustomizations',
        name: infra.name,
      })) as FluxObject;
    let seen: FluxObject | undefined;
    const before = await waitFor(
      'Kustomization infra Ready (applied by kustomize-controller)',
      async () => {
        flux.assertRunning();
        seen = await read().catch(() => undefined);
        return seen?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          ? seen
          : undefined;
      },
      90_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nlast seen: ${JSON.stringify(seen?.status)}\n${flux.logTail(15)}`);
    });

    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update('kubeconfig', cluster.kubeconfig, vscode.ConfigurationTarget.Global);
    await settings.update('clusterContexts', { homelab: 'admin' }, vscode.ConfigurationTarget.Global);
    await getExtension().exports.syncClusters();
    const binding = getExtension().exports.clusterBindings().get('homelab');
    assert.strictEqual(binding?.kind, 'unbound');
    assert.match(binding.kind === 'unbound' ? binding.message : '', /not trusted/);
    assert.strictEqual(getExtension().exports.clusterStore?.size, 0);

    for (const [command, extra] of [
      [CommandId.suspend, { confirmed: true }],
      [CommandId.reconcile, undefined],
    ] as const) {
      const result = await vscode.commands.executeCommand(command, { cluster: 'homelab', ...infra }, extra);
      assert.strictEqual(result, undefined, `${command} ran`);
    }
    // The controllers keep writing status; the spec and the annotations are what an action would change.
    const after = await read();
    assert.strictEqual(after.metadata.generation, before.metadata.generation, 'the spec changed');
    assert.notStrictEqual(after.spec?.suspend, true);
    assert.deepStrictEqual(after.metadata.annotations ?? {}, before.metadata.annotations ?? {});
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
