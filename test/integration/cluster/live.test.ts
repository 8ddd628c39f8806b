import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { ClusterRef } from '../../../src/core/cluster';
import type { RepoNode } from '../../../src/core/tree/repoTree';
import { CommandId } from '../../../src/platform/commandIds';
import { startCluster, type Cluster } from '../../env/cluster';
import { startControllerEmulation, type ControllerEmulation } from '../../env/controller-emulation';
import { StatusWriter } from '../../env/status-writer';
import { getExtension, waitFor, workspaceRoot } from '../helpers';
import { child, scannedTree } from '../treeHelpers';

// The sample repository against a real kube-apiserver + etcd with the Flux CRDs (test/env), started
// from inside this extension host. EMULATED STATUS: the sample's sources (an OCI registry, an SSH
// Git remote, public Helm repositories) cannot be reached here, so the real controllers cannot
// reconcile it; the status writer sets status and the controller emulation answers reconcile
// requests. What the controllers really do is proven in the `flux` run (test/integration/flux/),
// where real Flux reconciles a fleet pushed to the local Git server; the restricted context is
// tested there too, on the statuses real Flux wrote.
const CLUSTER = 'homelab';
let cluster: Cluster;
let writer: StatusWriter;
let emulation: ControllerEmulation | undefined;

const podinfo: ClusterRef = { cluster: CLUSTER, kind: 'HelmRelease', namespace: 'podinfo', name: 'podinfo' };
const apps: ClusterRef = { cluster: CLUSTER, kind: 'Kustomization', namespace: 'flux-system', name: 'apps' };

/** Creates in the cluster every object of the sample's manifests that the test needs. */
async function applySample(kc: k8s.KubeConfig): Promise<void> {
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const root = path.join(workspaceRoot(), 'flux', 'clusters', CLUSTER);
  const files = [
    'flux-system/gotk-sync.yaml',
    'infra.yaml',
    'apps.yaml',
    'apps/podinfo/release.yaml',
    'apps/redis/release.yaml',
  ];
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(root, file), 'utf8'))) {
      const object = doc.toJSON() as k8s.KubernetesObject;
      await client.create(object);
    }
  }
  // A Flux object that no file of the repository defines.
  await client.create({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'hand-made', namespace: 'flux-system' },
    spec: {
      interval: '1h',
      path: './elsewhere',
      prune: false,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  } as k8s.KubernetesObject);
}

function nodeOf(refName: string): RepoNode {
  const roots = getExtension().exports.repositoryTree();
  const find = (nodes: readonly RepoNode[]): RepoNode | undefined => {
    for (const node of nodes) {
      if (
        node.ref &&
        `${node.ref.kind}/${node.ref.namespace}/${node.ref.name}` === refName &&
        node.kind === 'object'
      )
        return node;
      const found = find(node.children);
      if (found) return found;
    }
    return undefined;
  };
  const node = find(roots);
  assert.ok(node, `no tree node for ${refName}`);
  return node;
}

function itemOf(node: RepoNode): vscode.TreeItem {
  const item = getExtension().exports.treeItem(node);
  assert.ok(item);
  return item;
}

const iconId = (item: vscode.TreeItem): string => (item.iconPath as vscode.ThemeIcon).id;

describe('live status from a real kube-apiserver', function () {
  this.timeout(240_000);

  before(async () => {
    cluster = await startCluster({ namespaces: ['podinfo', 'redis'] });
    writer = new StatusWriter(cluster.kubeConfig('admin'));
    await applySample(cluster.kubeConfig('admin'));
    await scannedTree();
    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update('kubeconfig', cluster.kubeconfig, vscode.ConfigurationTarget.Workspace);
    await settings.update('clusterContexts', { [CLUSTER]: 'admin' }, vscode.ConfigurationTarget.Workspace);
    await getExtension().exports.syncClusters();
  });

  after(async () => {
    await emulation?.stop();
    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update('clusterContexts', undefined, vscode.ConfigurationTarget.Workspace);
    await getExtension().exports.syncClusters();
    await cluster?.stop();
  });

  it('binds the cluster to the context from the setting and watches it', async () => {
    const binding = getExtension().exports.clusterBindings().get(CLUSTER);
    assert.deepStrictEqual(
      binding && { kind: binding.kind, context: binding.kind === 'bound' ? binding.context : '' },
      { kind: 'bound', context: 'admin' },
    );
    const store = getExtension().exports.clusterStore;
    assert.ok(store);
    await waitFor('the watch to list the HelmRelease', () => (store.get(podinfo) ? true : undefined), 90_000);
    await waitFor(
      'connected health',
      () => (store.getHealth(CLUSTER)?.state === 'connected' ? true : undefined),
      90_000,
    );
  });

  it('shows the status the controllers write: ready with its revision, then failed with the reason', async () => {
    await writer.ready(podinfo, { chartName: 'podinfo', chartVersion: '6.7.1', appVersion: '6.7.1' });
    const ready = await waitFor('Ready on the HelmRelease row', () => {
      const item = itemOf(nodeOf('HelmRelease/podinfo/podinfo'));
      return iconId(item) === 'pass-filled' ? item : undefined;
    });
    assert.match(String(ready.description), /6\.7\.1/);
    const tooltip = (ready.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /\| Ready \| True \|/);

    await writer.failed(podinfo, { reason: 'InstallFailed', message: 'install retries exhausted' });
    const failed = await waitFor('Not ready on the row', () => {
      const item = itemOf(nodeOf('HelmRelease/podinfo/podinfo'));
      return iconId(item) === 'error' ? item : undefined;
    });
    assert.match(String(failed.description), /InstallFailed/);
    // The app folder rolls its objects up.
    const folder = child(child((await scannedTree())[0], 'apps'), 'podinfo');
    assert.strictEqual(iconId(itemOf(folder)), 'error');
  });

  it('shows objects the repository does not have under the cluster, and repository objects missing from the cluster', async () => {
    const clusterNode = (await scannedTree())[0];
    const extra = await waitFor('the cluster-only group', () =>
      getExtension()
        .exports.treeChildren(clusterNode)
        .find((n) => n.tags.includes('cluster-only')),
    );
    assert.deepStrictEqual(
      extra.children.map((c) => c.label),
      ['Kustomization hand-made'],
    );
    // cert-manager's HelmRelease is in the repository but was not created in the cluster.
    const missing = itemOf(nodeOf('HelmRelease/cert-manager/cert-manager'));
    assert.strictEqual(iconId(missing), 'circle-large-outline');
    assert.match(String(missing.description), /not in cluster/);
  });

  it('"flux get all" lists sources, Kustomizations and HelmReleases', async () => {
    const tables = getExtension().exports.statusTables();
    const ours = tables.find((t) => t.cluster === CLUSTER);
    assert.ok(ours);
    const kinds = ours.tables.map((t) => t.kind);
    for (const kind of ['GitRepository', 'HelmRepository', 'OCIRepository', 'HelmRelease', 'Kustomization'])
      assert.ok(kinds.includes(kind as never), kinds.join(','));
    const release = ours.tables
      .find((t) => t.kind === 'HelmRelease')
      ?.rows.find((r) => r.name === 'helmrelease/podinfo');
    assert.ok(release);
    assert.strictEqual(release.ready, 'False');
  });

  it('reconciles a Kustomization with its source and follows it to Ready', async () => {
    emulation = await startControllerEmulation(cluster.kubeConfig('admin'), { delayMs: 200 });
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
      CommandId.reconcileWithSource,
      apps,
    );
    assert.ok(result?.ok, result?.message);
    const object = await writer.get({ kind: 'Kustomization', namespace: 'flux-system', name: 'apps' });
    const requested = object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    assert.ok(requested);
    assert.strictEqual(
      (object.status as { lastHandledReconcileAt?: string }).lastHandledReconcileAt,
      requested,
    );
    const source = await writer.get({ kind: 'GitRepository', namespace: 'flux-system', name: 'flux-system' });
    assert.ok(
      source.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'],
      'the source was not reconciled first',
    );
  });

  it('suspends and resumes from the tree node, writing only spec.suspend and the request annotation', async () => {
    const node = nodeOf('HelmRelease/podinfo/podinfo');
    const suspended = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
      CommandId.suspend,
      node,
      { confirmed: true },
    );
    assert.ok(suspended?.ok, suspended?.message);
    assert.strictEqual((await writer.get(podinfo)).spec?.suspend, true);
    await waitFor('the suspended icon', () =>
      iconId(itemOf(nodeOf('HelmRelease/podinfo/podinfo'))) === 'debug-pause' ? true : undefined,
    );
    assert.match(String(itemOf(nodeOf('HelmRelease/podinfo/podinfo')).contextValue), /\blive-suspended\b/);

    const resumed = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
      CommandId.resume,
      node,
    );
    assert.ok(resumed?.ok, resumed?.message);
    const after = await writer.get(podinfo);
    assert.notStrictEqual(after.spec?.suspend, true);
    await waitFor('Ready again', () =>
      iconId(itemOf(nodeOf('HelmRelease/podinfo/podinfo'))) === 'pass-filled' ? true : undefined,
    );
  });

  it('puts live status and action lenses above the HelmRelease, and they follow the status', async () => {
    const file = vscode.Uri.file(
      path.join(workspaceRoot(), 'flux', 'clusters', CLUSTER, 'apps', 'podinfo', 'release.yaml'),
    );
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const lensesAt = async (line: number): Promise<vscode.CodeLens[]> => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        file,
      );
      return lenses.filter(
        (lens) => lens.range.start.line === line && lens.command?.command.startsWith('fluxGitops.'),
      );
    };
    const titles = async (line: number) => (await lensesAt(line)).map((lens) => lens.command?.title ?? '');
    // The HelmRelease starts at line 12 (0-based 11); the OCIRepository at line 1.
    await writer.ready(podinfo, { chartName: 'podinfo', chartVersion: '6.7.1', appVersion: '6.7.1' });
    const ready = await waitFor('a Ready lens', async () => {
      const t = await titles(11);
      return t.some((title) => title.includes('Ready')) ? t : undefined;
    });
    assert.ok(
      ready.includes('Reconcile') &&
        ready.includes('Reconcile with source') &&
        ready.includes('Suspend') &&
        ready.includes('Show in tree'),
      ready.join(' | '),
    );
    assert.ok(
      ready.some((title) => title.includes('6.7.1')),
      ready.join(' | '),
    );
    assert.ok(
      (await titles(0)).some((title) => title.includes('Reconcile')),
      'the OCIRepository has lenses too',
    );

    await writer.failed(podinfo, { reason: 'UpgradeFailed', message: 'upgrade retries exhausted' });
    await waitFor('the lens to follow the failure', async () =>
      (await titles(11)).some((title) => title.includes('UpgradeFailed: upgrade retries exhausted'))
        ? true
        : undefined,
    );

    const reconcileLens = (await lensesAt(11)).find((lens) => lens.command?.title === 'Reconcile');
    assert.ok(reconcileLens?.command);
    const before = (await writer.get(podinfo)).metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
      reconcileLens.command.command,
      ...(reconcileLens.command.arguments ?? []),
    );
    assert.ok(result?.ok, result?.message);
    const requested = (await writer.get(podinfo)).metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    assert.ok(requested && requested !== before, 'the lens did not request a reconcile');
  });

  it('force-reconciles a HelmRelease: forceAt equals requestedAt', async () => {
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
      CommandId.reconcileForce,
      podinfo,
    );
    assert.ok(result?.ok, result?.message);
    const annotations = (await writer.get(podinfo)).metadata.annotations ?? {};
    assert.ok(annotations['reconcile.fluxcd.io/forceAt']);
    assert.strictEqual(
      annotations['reconcile.fluxcd.io/forceAt'],
      annotations['reconcile.fluxcd.io/requestedAt'],
    );
  });

  it('reconciles the Kustomization that applies a file, from the explorer', async () => {
    const file = vscode.Uri.file(
      path.join(workspaceRoot(), 'flux', 'clusters', CLUSTER, 'apps', 'redis', 'release.yaml'),
    );
    const appsRef = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
    const before = (await writer.get(appsRef)).metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
      CommandId.reconcileAppliedBy,
      file,
    );
    assert.ok(result?.ok, result?.message);
    assert.match(result.message, /Kustomization flux-system\/apps/);
    const after = (await writer.get(appsRef)).metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    assert.ok(after && after !== before);
  });

  it('a failing reconcile reports the failure reason', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig('admin'));
    await objects.patch(
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: {
          name: 'redis',
          namespace: 'redis',
          annotations: {
            'test.flux-gitops.dev/emulate-failure': 'UpgradeFailed: the chart needs a newer Kubernetes',
          },
        },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
      CommandId.reconcile,
      {
        cluster: CLUSTER,
        kind: 'HelmRelease',
        namespace: 'redis',
        name: 'redis',
      },
    );
    assert.ok(result && !result.ok, JSON.stringify(result));
    assert.match(result.message, /newer Kubernetes/);
  });
});
