import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RepoNode } from '../../../src/core/tree/repoTree';
import { waitFor, workspaceRoot } from '../helpers';
import { child, labels, scannedTree } from '../treeHelpers';

// onedr0p/home-ops as its users open it (../shared/corpus, a Git checkout of main with its
// origin): the Flux Operator's flux-instance chart syncs kubernetes/flux/cluster, whose
// cluster-apps applies every namespace folder; each app has a ks.yaml whose Flux Kustomization
// adds shared components (kopiur backup, zeroscaler) with postBuild ${APP} names. Almost every
// file names an https schema in a `# yaml-language-server: $schema=` modeline; there is no
// network here, as for users offline or behind a proxy.

const objectLabels = (node: RepoNode): string[] =>
  node.kind === 'object' ? [node.label] : node.children.flatMap(objectLabels);
const relative = (file: string): string => path.relative(workspaceRoot(), file).split(path.sep).join('/');

function describeDiagnostics(all: ReadonlyArray<[vscode.Uri, readonly vscode.Diagnostic[]]>): string {
  const lines = all.flatMap(([uri, diagnostics]) =>
    diagnostics.map(
      (d) =>
        `  ${vscode.DiagnosticSeverity[d.severity]} ${relative(uri.fsPath)}:${d.range.start.line + 1} ` +
        `[${d.source ?? '?'}${d.code !== undefined ? ` ${String(typeof d.code === 'object' ? d.code.value : d.code)}` : ''}] ${d.message}`,
    ),
  );
  return `${lines.length} diagnostic(s)${lines.length ? `:\n${lines.join('\n')}` : ''}`;
}

describe('a real repository: onedr0p/home-ops', function () {
  this.timeout(240_000);

  // None of the activation events' files is here (no gotk-sync.yaml, no clusters/*/flux-system,
  // no .sops.yaml): the extension starts when the user opens the Flux view, as they would.
  before(async () => {
    await vscode.commands.executeCommand('fluxGitops.repository.focus');
  });

  it('has one cluster, named after its sync path folder, whose root is the Flux Operator flux-instance', async () => {
    const roots = await scannedTree();
    const clusters = roots.filter((node) => node.kind === 'cluster');
    assert.deepStrictEqual(labels(clusters), ['cluster'], `top rows: ${labels(roots).join(', ')}`);
    const cluster = clusters[0]!;
    const root = cluster.children[0];
    assert.ok(root?.kustomization, `the cluster's first row is no Kustomization: ${root?.label}`);
    assert.strictEqual(root.label, 'flux-system');
    assert.strictEqual(root.kustomization.parent, null, 'the first Kustomization is the root');
    assert.strictEqual(root.kustomization.specPath, 'kubernetes/flux/cluster');
    // The root comes from the flux-instance chart's values (instance.sync), not from a file of its own.
    assert.strictEqual(
      relative(root.kustomization.file),
      'kubernetes/apps/flux-system/flux-instance/app/helmrelease.yaml',
    );
    // The cluster row says where its root comes from.
    assert.match(
      cluster.description ?? '',
      /^Flux Operator · HelmRelease flux-system\/flux-instance · Flux 2\.x → 2\.9\.5 · 79 Kustomizations$/,
    );
    assert.strictEqual(cluster.children[1]?.label, 'cluster-apps');
    // What `flux build kustomization flux-instance` (flux v2.9.5) prints for its ks.yaml.
    assert.deepStrictEqual(objectLabels(child(cluster, 'flux-instance')).sort(), [
      'ExternalSecret github-webhook-token',
      'GrafanaDashboard flux-cluster',
      'GrafanaDashboard flux-control-plane',
      'GrafanaDashboard flux-k8s-api-performance',
      'GrafanaDashboard flux-performance',
      'HTTPRoute github-webhook',
      'HelmRelease flux-instance',
      'OCIRepository flux-instance',
      'PodMonitor flux-components',
      'PrometheusRule flux-instance-rules',
      'Receiver github-webhook',
    ]);
    console.log(`    cluster rows: ${cluster.children.length} (${cluster.description ?? ''})`);
  });

  // The objects named below are what `flux build kustomization <app> --kustomization-file
  // kubernetes/apps/default/<app>/ks.yaml --dry-run` (flux v2.9.5) prints for this snapshot.
  it('shows ks.yaml apps with the objects their components add, one app each', async () => {
    const cluster = (await scannedTree()).find((node) => node.kind === 'cluster');
    assert.ok(cluster, 'no cluster row');
    const atuin = child(cluster, 'atuin');
    assert.strictEqual(relative(atuin.kustomization!.file), 'kubernetes/apps/default/atuin/ks.yaml');
    assert.deepStrictEqual(labels(atuin.children), ['backup', 'helmrelease.yaml', 'ocirepository.yaml']);
    assert.deepStrictEqual(objectLabels(atuin).sort(), [
      'HelmRelease atuin',
      'OCIRepository atuin',
      'PersistentVolumeClaim atuin',
      'Restore atuin',
      'SnapshotPolicy atuin',
      'SnapshotSchedule atuin',
    ]);
    const plex = child(cluster, 'plex');
    assert.deepStrictEqual(labels(plex.children), [
      'backup',
      'zeroscaler',
      'helmrelease.yaml',
      'ocirepository.yaml',
      'resourceclaimtemplate.yaml',
    ]);
    assert.deepStrictEqual(objectLabels(child(plex, 'zeroscaler')), ['HorizontalPodAutoscaler plex']);
    assert.deepStrictEqual(objectLabels(plex).sort(), [
      'HelmRelease plex',
      'HorizontalPodAutoscaler plex',
      'OCIRepository plex',
      'PersistentVolumeClaim plex',
      'ResourceClaimTemplate plex',
      'Restore plex',
      'SnapshotPolicy plex',
      'SnapshotSchedule plex',
    ]);
    for (const object of [...objectLabels(atuin), ...objectLabels(plex)].filter((l) => l.includes(' ')))
      assert.ok(!/agregarr|autobrr|bazarr/.test(object), `another app's object under atuin/plex: ${object}`);
  });

  it('has no error in the Problems view, with Flux files open that name unreachable https schemas', async () => {
    await scannedTree();
    // Flux objects whose modeline names an https schema (k8s-schemas.home-operations.com).
    const files = [
      'kubernetes/flux/cluster/ks.yaml',
      'kubernetes/apps/default/atuin/ks.yaml',
      'kubernetes/apps/default/atuin/app/ocirepository.yaml',
      'kubernetes/apps/flux-system/flux-instance/app/helmrelease.yaml',
    ];
    for (const file of files) {
      const uri = vscode.Uri.file(path.join(workspaceRoot(), file));
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document, { preview: false });
      assert.match(document.lineAt(1).text, /\$schema=https:\/\//, `${file} has no https modeline`);
      // The YAML server has this file's schema once its hover on `spec` shows the Flux kind's
      // description. Its diagnostics of the file (validation started at didOpen, before this
      // request, on the same schema) are published before it answers.
      const specLine = document.getText().split('\n').indexOf('spec:');
      assert.ok(specLine > 0, `${file} has no spec`);
      await waitFor(
        `the Flux schema's hover on spec: in ${file}`,
        async () => {
          const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
            'vscode.executeHoverProvider',
            uri,
            new vscode.Position(specLine, 1),
          );
          const text = hovers
            .flatMap((hover) => hover.contents)
            .map((content) => (typeof content === 'string' ? content : content.value))
            .join('\n');
          return /Spec defines/.test(text) ? text : undefined;
        },
        45_000,
      ).catch((error: unknown) => {
        // What the file has instead (e.g. the server could not load the schema its modeline names).
        throw new Error(
          `${String(error)}; ${describeDiagnostics([[uri, vscode.languages.getDiagnostics(uri)]])}`,
        );
      });
    }
    const all = vscode.languages.getDiagnostics();
    const report = describeDiagnostics(all);
    console.log(`    workspace diagnostics: ${report.replace(/\n/g, '\n    ')}`);
    const errors = all.flatMap(([, diagnostics]) =>
      diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error),
    );
    assert.strictEqual(errors.length, 0, report);
    const aboutSchemas = all.flatMap(([, diagnostics]) =>
      diagnostics.filter((d) => /schema/i.test(d.message)),
    );
    assert.strictEqual(aboutSchemas.length, 0, report);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
