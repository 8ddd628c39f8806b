import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import * as fs from 'fs';
import * as os from 'os';
import type { ClusterRef } from '../../../src/core/cluster';
import type { RepoNode } from '../../../src/core/tree/repoTree';
import { CommandId } from '../../../src/platform/commandIds';
import { startCluster, type Cluster } from '../../env/cluster';
import { configMapYaml, DEMO_CHART, FLEET_CLUSTER, FLEET_REPO, writeFleet } from '../../env/fleet';
import type { FluxEnv, GitRepo } from '../../env/flux';
import { CLUSTER_FLUX_VERSION } from '../../env/paths';
import { FLUX_KINDS, type FluxKind } from '../../env/flux-kinds';
import type { FluxObject } from '../../env/status-writer';
import { getExtension, waitFor, workspaceRoot } from '../helpers';
import { scannedTree } from '../treeHelpers';

// The workspace (a small fleet, test/env/fleet.ts) pushed to the local Git server and bootstrapped
// in the test cluster, where the real Flux controllers reconcile it. Every status the extension
// shows here was written by source-, kustomize- or helm-controller, also through the restricted
// context (a viewer of one namespace), and the cluster row shows the Flux version the cluster's
// CRDs carry.
const CLUSTER = FLEET_CLUSTER;
const WAIT_MS = 180_000;
let cluster: Cluster;
let flux: FluxEnv;
let repo: GitRepo;
let custom: k8s.CustomObjectsApi;

type TreeKind = ClusterRef['kind'] & FluxKind;
const ref = (kind: TreeKind, name: string, namespace = 'flux-system'): ClusterRef => ({
  cluster: CLUSTER,
  kind,
  namespace,
  name,
});
const apps = ref('Kustomization', 'apps');
const infra = ref('Kustomization', 'infra');
const source = ref('GitRepository', 'flux-system');
const demo = ref('HelmRelease', DEMO_CHART.name, 'apps');

async function get(r: ClusterRef): Promise<FluxObject | undefined> {
  const k = FLUX_KINDS[r.kind as FluxKind];
  return (await custom
    .getNamespacedCustomObject({
      group: k.group,
      version: k.version,
      namespace: r.namespace,
      plural: k.plural,
      name: r.name,
    })
    .catch(() => undefined)) as FluxObject | undefined;
}

const readyCondition = (o: FluxObject | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready');

/** Waits for the object in the cluster; on timeout says what it saw and what the controllers logged. */
async function inCluster(
  r: ClusterRef,
  what: string,
  check: (o: FluxObject) => boolean,
): Promise<FluxObject> {
  let last: FluxObject | undefined;
  try {
    return await waitFor(
      `${r.kind} ${r.namespace}/${r.name}: ${what}`,
      async () => {
        flux.assertRunning();
        last = await get(r);
        return last && check(last) ? last : undefined;
      },
      WAIT_MS,
    );
  } catch (error) {
    throw new Error(
      `${String(error)}\nlast seen status: ${JSON.stringify(last?.status, null, 2)}\n${flux.logTail(15)}`,
      { cause: error },
    );
  }
}

const readyAt = (r: ClusterRef, revision?: string) =>
  inCluster(
    r,
    `Ready${revision ? ` at ${revision}` : ''}`,
    (o) =>
      readyCondition(o)?.status === 'True' &&
      o.status?.observedGeneration === o.metadata.generation &&
      (revision === undefined || o.status?.lastAppliedRevision === revision),
  );

function nodeOf(r: ClusterRef): RepoNode {
  const find = (nodes: readonly RepoNode[]): RepoNode | undefined => {
    for (const node of nodes) {
      if (
        node.kind === 'object' &&
        node.ref &&
        node.ref.kind === r.kind &&
        node.ref.namespace === r.namespace &&
        node.ref.name === r.name
      )
        return node;
      const found = find(node.children);
      if (found) return found;
    }
    return undefined;
  };
  const node = find(getExtension().exports.repositoryTree());
  assert.ok(node, `no tree node for ${r.kind} ${r.namespace}/${r.name}`);
  return node;
}

function itemOf(r: ClusterRef): vscode.TreeItem {
  const item = getExtension().exports.treeItem(nodeOf(r));
  assert.ok(item);
  return item;
}
/** A Ready Kustomization row: the revision Flux applied, before what the row says offline (its folder). */
const appliedDescription = (r: ClusterRef, sha: string): string =>
  [`main@sha1:${sha.slice(0, 8)}`, nodeOf(r).description].filter(Boolean).join(' · ');
const iconId = (item: vscode.TreeItem): string => (item.iconPath as vscode.ThemeIcon).id;
/** The tooltip's text with Markdown escapes removed. */
const tooltipText = (item: vscode.TreeItem): string =>
  (item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');

/** Waits until the tree row of `r` satisfies `check` (the row is printed on timeout). */
async function row(r: ClusterRef, what: string, check: (item: vscode.TreeItem) => boolean) {
  let last: vscode.TreeItem | undefined;
  try {
    return await waitFor(
      `the tree row of ${r.kind} ${r.name}: ${what}`,
      () => {
        last = itemOf(r);
        return check(last) ? last : undefined;
      },
      WAIT_MS,
    );
  } catch (error) {
    throw new Error(
      `${String(error)}\nlast row: ${JSON.stringify({ icon: last && iconId(last), description: last?.description, tooltip: last && tooltipText(last) })}`,
      { cause: error },
    );
  }
}

async function lensTitles(file: string, line: number): Promise<string[]> {
  const uri = vscode.Uri.file(path.join(workspaceRoot(), file));
  // CodeLens is computed on an open text model, as an editor showing the file does.
  await vscode.workspace.openTextDocument(uri);
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
    'vscode.executeCodeLensProvider',
    uri,
  );
  return lenses
    .filter((lens) => lens.range.start.line === line && lens.command?.command.startsWith('fluxGitops.'))
    .map((lens) => lens.command?.title ?? '');
}

async function command(id: string, ...args: unknown[]): Promise<void> {
  const result = await request(id, ...args);
  assert.ok(result.ok, result.message);
}

/**
 * Runs a command whose own outcome is Flux's answer, which may be a failure the test expects (a
 * broken manifest) or a passing one (a dependency still reconciling the same commit): the test
 * then judges the state Flux reaches, not this first answer.
 */
async function request(id: string, ...args: unknown[]): Promise<{ ok: boolean; message: string }> {
  const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(id, ...args);
  assert.ok(result, `${id} returned nothing`);
  return result;
}

/** Commits and pushes the workspace, then asks Flux (through the extension) to fetch it. */
async function pushAndFetch(message: string): Promise<string> {
  const sha = await repo.commitAndPush(message);
  await command(CommandId.reconcile, source);
  await inCluster(source, `artifact at ${sha}`, (o) =>
    String((o.status?.artifact as { revision?: string } | undefined)?.revision).endsWith(sha),
  );
  return sha;
}

describe('the extension on real Flux', function () {
  this.timeout(WAIT_MS * 2);

  before(async () => {
    cluster = await startCluster({ flux: true });
    assert.ok(cluster.fluxEnv);
    flux = cluster.fluxEnv;
    const kc = cluster.kubeConfig('admin');
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await flux.publishChart(DEMO_CHART);
    // The workspace's gotk-sync.yaml now names this run's Git server and Helm repository.
    writeFleet(workspaceRoot(), { gitUrl: flux.gitUrl, helmRepoUrl: flux.helmRepoUrl });
    repo = await flux.pushFolder(FLEET_REPO, workspaceRoot());
    // Bootstrap as `flux bootstrap` does: apply gotk-sync.yaml; Flux applies the rest from Git.
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const sync = path.join(workspaceRoot(), 'clusters', CLUSTER, 'flux-system', 'gotk-sync.yaml');
    for (const doc of parseAllDocuments(fs.readFileSync(sync, 'utf8')))
      await objects.create(doc.toJSON() as k8s.KubernetesObject);
    // Activation starts with the window; on a loaded machine it may not have finished yet.
    await getExtension().activate();
    await getExtension().exports.rescan();
    await scannedTree();
    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update('kubeconfig', cluster.kubeconfig, vscode.ConfigurationTarget.Workspace);
    await settings.update('clusterContexts', { [CLUSTER]: 'admin' }, vscode.ConfigurationTarget.Workspace);
    await getExtension().exports.syncClusters();
  });

  after(async () => {
    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update('clusterContexts', undefined, vscode.ConfigurationTarget.Workspace);
    await settings.update('kubeconfig', undefined, vscode.ConfigurationTarget.Workspace);
    await getExtension().exports.syncClusters();
    await cluster?.stop();
  });

  it('every Kustomization and the HelmRelease become Ready at the pushed commit, and the tree and CodeLens say so', async () => {
    const sha = await repo.head();
    const revision = `main@sha1:${sha}`;
    for (const k of [ref('Kustomization', 'flux-system'), infra, apps]) {
      await readyAt(k, revision);
      const item = await row(k, 'Ready', (i) => iconId(i) === 'pass-filled');
      assert.strictEqual(item.description, appliedDescription(k, sha));
      assert.match(tooltipText(item), new RegExp(`Applied revision: ${revision}`));
    }
    const release = await inCluster(demo, 'Ready', (o) => readyCondition(o)?.status === 'True');
    const history = release.status?.history as { chartVersion: string }[];
    assert.strictEqual(history[0].chartVersion, DEMO_CHART.version);
    const releaseRow = await row(demo, 'Ready', (i) => iconId(i) === 'pass-filled');
    assert.match(
      tooltipText(releaseRow),
      new RegExp(String(readyCondition(release)?.message).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    );
    // The Kustomization's document starts on line 0 of apps.yaml.
    const titles = await waitFor(
      'a Ready lens on apps.yaml',
      async () => {
        const t = await lensTitles(`clusters/${CLUSTER}/apps.yaml`, 0);
        return t.some((title) => title.includes('Ready') && title.includes(sha.slice(0, 8))) ? t : undefined;
      },
      WAIT_MS,
    );
    assert.ok(titles.includes('Reconcile'), titles.join(' | '));
  });

  it('the cluster row shows the Flux the cluster reports (its CRDs), the repository declaring none', async () => {
    const version = CLUSTER_FLUX_VERSION.replace(/^v/, '');
    const clusterNode = () =>
      getExtension()
        .exports.repositoryTree()
        .find((n) => n.kind === 'cluster' && n.label === CLUSTER);
    const clusterRow = await waitFor(
      `Flux ${version} on the cluster row`,
      () => {
        const node = clusterNode();
        const rowItem = node && getExtension().exports.treeItem(node);
        return rowItem && String(rowItem.description).includes(`Flux ${version}`) ? rowItem : undefined;
      },
      WAIT_MS,
    );
    assert.match(tooltipText(clusterRow), /from the connected cluster/);
    assert.match(tooltipText(clusterRow), /the repository declares no version/);
  });

  it("a broken manifest pushed shows kustomize-controller's message; a fix pushed and reconciled from the extension clears it", async () => {
    repo.write({ 'apps/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n' });
    const broken = await repo.commitAndPush('a broken manifest');
    const answer = await request(CommandId.reconcileWithSource, apps);
    assert.strictEqual(answer.ok, false, `a broken manifest reconciled without a failure: ${answer.message}`);
    const failed = await inCluster(
      apps,
      `Ready=False at ${broken}`,
      (o) =>
        readyCondition(o)?.status === 'False' && o.status?.lastAttemptedRevision === `main@sha1:${broken}`,
    );
    const message = String(readyCondition(failed)?.message);
    assert.strictEqual(readyCondition(failed)?.reason, 'BuildFailed');
    const item = await row(
      apps,
      'the failure',
      (i) => iconId(i) === 'error' && tooltipText(i).includes(message.split('\n')[0]),
    );
    assert.match(String(item.description), /BuildFailed/);
    await waitFor(
      'the lens to show the failure',
      async () =>
        (await lensTitles(`clusters/${CLUSTER}/apps.yaml`, 0)).some((t) => t.includes('BuildFailed'))
          ? true
          : undefined,
      WAIT_MS,
    );

    repo.remove(['apps/broken.yaml']);
    const fixed = await repo.commitAndPush('fix the manifest');
    await request(CommandId.reconcileWithSource, apps);
    await readyAt(apps, `main@sha1:${fixed}`);
    await row(
      apps,
      'Ready again',
      (i) => iconId(i) === 'pass-filled' && i.description === appliedDescription(apps, fixed),
    );
  });

  it('Reconcile is handled by the controller: lastHandledReconcileAt takes the request', async () => {
    await command(CommandId.reconcile, infra);
    const requested = (await get(infra))?.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    assert.ok(requested);
    await inCluster(
      infra,
      `lastHandledReconcileAt ${requested}`,
      (o) => o.status?.lastHandledReconcileAt === requested,
    );
  });

  it('Suspend keeps a pushed commit from being applied until Resume', async () => {
    const before = (await get(apps))?.status?.lastAppliedRevision;
    await command(CommandId.suspend, nodeOf(apps), { confirmed: true });
    await row(apps, 'suspended', (i) => iconId(i) === 'debug-pause');
    repo.write({
      'apps/settings.yaml': configMapYaml('app-settings', 'apps', { color: 'green' }),
      'infra/settings.yaml': configMapYaml('infra-settings', 'infra', { tier: 'infra-2' }),
    });
    const sha = await pushAndFetch('green');
    // infra, on the same source and not suspended, applies it; apps keeps its revision.
    await readyAt(infra, `main@sha1:${sha}`);
    assert.strictEqual((await get(apps))?.status?.lastAppliedRevision, before);
    await command(CommandId.resume, nodeOf(apps));
    await readyAt(apps, `main@sha1:${sha}`);
    await row(
      apps,
      'Ready at the new commit',
      (i) => iconId(i) === 'pass-filled' && i.description === appliedDescription(apps, sha),
    );
  });

  it("dependsOn: a Kustomization waiting for one that is not ready shows Flux's own message", async () => {
    repo.write({
      [`clusters/${CLUSTER}/blocked.yaml`]:
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: blocked\n  namespace: flux-system\n' +
        'spec:\n  interval: 10m\n  path: ./does-not-exist\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
      [`clusters/${CLUSTER}/waiting.yaml`]:
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: waiting\n  namespace: flux-system\n' +
        'spec:\n  interval: 10m\n  dependsOn:\n    - name: blocked\n  path: ./apps\n  prune: false\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
    });
    await pushAndFetch('a Kustomization waiting for another');
    await getExtension().exports.rescan();
    const waiting = ref('Kustomization', 'waiting');
    const object = await inCluster(
      waiting,
      'DependencyNotReady',
      (o) => readyCondition(o)?.reason === 'DependencyNotReady',
    );
    const message = String(readyCondition(object)?.message);
    assert.match(message, /dependency 'flux-system\/blocked' is not ready/);
    await row(waiting, 'the dependency message', (i) => tooltipText(i).includes(message));
  });

  it('Reconcile (force) on the HelmRelease makes helm-controller upgrade again', async () => {
    const before = await inCluster(demo, 'Ready', (o) => readyCondition(o)?.status === 'True');
    const newest = Math.max(...(before.status?.history as { version: number }[]).map((h) => h.version));
    await command(CommandId.reconcileForce, demo);
    const forceAt = (await get(demo))?.metadata.annotations?.['reconcile.fluxcd.io/forceAt'];
    assert.ok(forceAt);
    const after = await inCluster(
      demo,
      `lastHandledForceAt ${forceAt}`,
      (o) => o.status?.lastHandledForceAt === forceAt && readyCondition(o)?.status === 'True',
    );
    assert.strictEqual((after.status?.history as { version: number }[])[0].version, newest + 1);
  });

  it('the restricted context: only its namespace, with the status Flux wrote there; actions explain why they fail and change nothing', async () => {
    const team = cluster.restrictedNamespace;
    const teamApp = ref('Kustomization', 'team-app', team);
    repo.write({
      [`clusters/${CLUSTER}/team-app.yaml`]:
        `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: team-app\n  namespace: ${team}\n` +
        'spec:\n  interval: 10m\n  path: ./team-app\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n',
      'team-app/settings.yaml': configMapYaml('team-settings', team, { owner: 'team-a' }),
    });
    const sha = await pushAndFetch('a Kustomization of team-a');
    await getExtension().exports.rescan();
    await readyAt(teamApp, `main@sha1:${sha}`);
    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update(
      'clusterContexts',
      { [CLUSTER]: 'restricted' },
      vscode.ConfigurationTarget.Workspace,
    );
    try {
      await getExtension().exports.syncClusters();
      const store = getExtension().exports.clusterStore;
      assert.ok(store);
      await waitFor(
        `watches limited to ${team}`,
        () => {
          const h = store.getHealth(CLUSTER);
          return h?.context === 'restricted' &&
            h.state === 'connected' &&
            h.kinds.every((k) => k.namespace === team)
            ? h
            : undefined;
        },
        WAIT_MS,
      );
      // What kustomize-controller wrote in team-a reaches the tree through this context...
      const item = await row(
        teamApp,
        'Ready through the restricted context',
        (i) => iconId(i) === 'pass-filled' && i.description === appliedDescription(teamApp, sha),
      );
      assert.match(tooltipText(item), new RegExp(`Applied revision: main@sha1:${sha}`));
      // ...objects elsewhere are not visible: not in the store, and the cluster row says why.
      await waitFor('apps to leave the store', () => (store.get(apps) ? undefined : true), WAIT_MS);
      const clusterItem = getExtension().exports.treeItem((await scannedTree())[0]);
      assert.match(
        (clusterItem?.tooltip as vscode.MarkdownString).value,
        new RegExp(`watching only namespace ${team}`),
      );
      // This context may only read: Suspend is refused by the API server and nothing changes.
      const before = await get(apps);
      const answer = await request(CommandId.suspend, apps, { confirmed: true });
      assert.strictEqual(answer.ok, false, answer.message);
      assert.match(answer.message, /forbidden/i);
      const after = await get(apps);
      assert.strictEqual(after?.metadata.generation, before?.metadata.generation, 'the spec changed');
      assert.notStrictEqual((after?.spec as { suspend?: boolean } | undefined)?.suspend, true);
      assert.ok(getExtension().exports.repositoryTree().length > 0, 'the repository tree is still shown');
    } finally {
      await settings.update('clusterContexts', { [CLUSTER]: 'admin' }, vscode.ConfigurationTarget.Workspace);
      await getExtension().exports.syncClusters();
    }
  });

  it('Diff with Cluster opens the diff editor on a changed object: the live side and the working tree differ as edited', async () => {
    const fluxPath = path.join(
      process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops'),
      'bin',
      'flux',
    );
    const settings = vscode.workspace.getConfiguration('fluxGitops');
    await settings.update('fluxPath', fluxPath, vscode.ConfigurationTarget.Workspace);
    const release = fs.readFileSync(path.join(workspaceRoot(), 'apps', 'release.yaml'), 'utf8');
    // The colour pushed last (the earlier tests change it): what the cluster has.
    const settingsFile = fs.readFileSync(path.join(workspaceRoot(), 'apps', 'settings.yaml'), 'utf8');
    const pushedColor = /color: "(\w+)"/.exec(settingsFile)?.[1];
    assert.ok(pushedColor, settingsFile);
    // What the cluster has: the pushed commit, applied.
    const live = `main@sha1:${await repo.head()}`;
    await readyAt(apps, live);
    // Edited, not pushed: a changed value, a new object, and a removed file (its two objects pruned).
    repo.write({
      'apps/settings.yaml': configMapYaml('app-settings', 'apps', { color: 'red' }),
      'apps/extra.yaml': configMapYaml('app-extra', 'apps', { added: 'yes' }),
    });
    repo.remove(['apps/release.yaml']);
    try {
      const outcome = await vscode.commands.executeCommand<{
        kind: string;
        changes?: { action: string; subject: string; live: string; wouldBe: string }[];
      }>(CommandId.diffWithCluster, apps, { open: 'ConfigMap/apps/app-settings' });
      assert.strictEqual(outcome?.kind, 'diff', JSON.stringify(outcome));
      const listed = outcome.changes?.map((c) => `${c.action} ${c.subject}`) ?? [];
      // Created first, then changed, then pruned (within a group, in flux's order).
      assert.deepStrictEqual(
        [listed[0], listed[1], ...listed.slice(2).sort()],
        [
          'created ConfigMap/apps/app-extra',
          'drifted ConfigMap/apps/app-settings',
          'deleted HelmRelease/apps/demo',
          'deleted HelmRepository/apps/charts',
        ],
        JSON.stringify(outcome.changes, null, 2),
      );
      const tab = await waitFor(
        'the diff editor of ConfigMap/apps/app-settings',
        () => {
          const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
          return input instanceof vscode.TabInputTextDiff ? input : undefined;
        },
        30_000,
      );
      assert.strictEqual(tab.original.scheme, 'flux-gitops');
      assert.strictEqual(tab.modified.scheme, 'flux-gitops');
      const left = (await vscode.workspace.openTextDocument(tab.original)).getText();
      const right = (await vscode.workspace.openTextDocument(tab.modified)).getText();
      assert.match(left, new RegExp(`^ {2}color: ${pushedColor}$`, 'm'), left);
      assert.match(right, /^ {2}color: red$/m, right);
      const onlyLeft = left.split('\n').filter((line) => !right.split('\n').includes(line));
      assert.deepStrictEqual(onlyLeft, [`  color: ${pushedColor}`], `${left}\n----\n${right}`);
      assert.doesNotMatch(left + right, /managedFields|resourceVersion|kustomize\.toolkit\.fluxcd\.io/);
      // The cluster is as it was: the diff wrote nothing.
      assert.strictEqual(String((await get(apps))?.status?.lastAppliedRevision), live);

      const build = await vscode.commands.executeCommand<{ kind: string; uri?: vscode.Uri; count?: number }>(
        CommandId.fluxBuild,
        apps,
      );
      assert.strictEqual(build?.kind, 'rendered', JSON.stringify(build));
      const rendered = await vscode.workspace.openTextDocument(build.uri!);
      assert.strictEqual(rendered.uri.scheme, 'flux-gitops');
      assert.strictEqual(rendered.languageId, 'yaml');
      assert.match(rendered.getText(), /name: app-extra/);
      assert.doesNotMatch(rendered.getText(), /HelmRelease/);
      assert.strictEqual(build.count, 3, rendered.getText());
    } finally {
      repo.write({ 'apps/release.yaml': release, 'apps/settings.yaml': settingsFile });
      repo.remove(['apps/extra.yaml']);
      await settings.update('fluxPath', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
