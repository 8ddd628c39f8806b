import * as path from 'path';
import * as vscode from 'vscode';
import { kubeconfigFiles, type ClusterRef } from '../core/cluster';
import {
  createObjectReader,
  DEFAULT_FLUX_TIMEOUT_MS,
  diffKustomization,
  locateFluxCli,
  renderKustomization,
  type DiffOutcome,
  type FluxCli,
  type KustomizationTarget,
  type ObjectDiff,
} from '../core/clusterDiff';
import { runProcess } from '../core/process';
import { checkoutOf, type FluxKustomization, type RepoModel } from '../core/repo/model';
import type { RepoNode } from '../core/tree/repoTree';
import type { ClusterService } from '../platform/clusterService';
import { CommandId } from '../platform/commandIds';
import { describeError, type Log } from '../platform/log';
import type { ReadOnlyDocuments } from '../platform/readOnlyDocuments';
import type { RepositoryService } from '../platform/repositoryService';
import { readSetting, Setting } from '../platform/settings';

export interface ClusterDiffDeps {
  log: Log;
  clusters: ClusterService;
  repository: RepositoryService;
  documents: ReadOnlyDocuments;
}

/** What the commands may be given: a tree node, a cluster object (CodeLens), a file (explorer), or nothing. */
type Target = RepoNode | ClusterRef | vscode.Uri | undefined;

export interface DiffCommandOptions {
  /** Open this object's diff (`Kind/namespace/name`) instead of asking (keybindings, tests). */
  open?: string;
}

export type DiffCommandResult =
  DiffOutcome | { kind: 'no-target' } | { kind: 'unavailable'; message: string };

const ACTION_TEXT: Record<ObjectDiff['action'], { icon: string; text: string }> = {
  created: { icon: '$(diff-added)', text: 'created' },
  drifted: { icon: '$(diff-modified)', text: 'changed' },
  deleted: { icon: '$(diff-removed)', text: 'deleted (pruned)' },
  skipped: { icon: '$(debug-step-over)', text: 'skipped' },
};

function kustomizationOfRef(model: RepoModel, ref: ClusterRef): FluxKustomization | undefined {
  const matches = [...model.kustomizations.values()].filter(
    (ks) => ks.name === ref.name && ks.namespace === ref.namespace,
  );
  return matches.find((ks) => ks.cluster === ref.cluster || ks.clusters.includes(ref.cluster)) ?? matches[0];
}

function isRef(value: unknown): value is ClusterRef {
  const ref = value as ClusterRef | undefined;
  return (
    !!ref && typeof ref.cluster === 'string' && typeof ref.kind === 'string' && typeof ref.name === 'string'
  );
}

/** The Kustomizations a file stands for: the one under the cursor if the file defines it, else those applying it. */
function kustomizationsForFile(model: RepoModel, file: string, line?: number): FluxKustomization[] {
  const defined = [...model.kustomizations.values()]
    .filter((ks) => ks.file === file && (line === undefined || ks.line <= line))
    .sort((a, b) => b.line - a.line);
  if (line !== undefined && defined.length > 0) return [defined[0]];
  const keys = new Set(model.objects.filter((o) => o.file === file).flatMap((o) => o.appliedBy));
  return [...keys].map((key) => model.kustomizations.get(key)).filter((ks): ks is FluxKustomization => !!ks);
}

async function pickKustomization(
  candidates: FluxKustomization[],
  placeHolder: string,
): Promise<FluxKustomization | undefined> {
  if (candidates.length <= 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((ks) => ({
      label: ks.name,
      description: `${ks.namespace} · ${ks.cluster}`,
      detail: vscode.workspace.asRelativePath(ks.resolvedPath),
      ks,
    })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.ks;
}

/** The Flux Kustomization a command is about (tree, CodeLens, explorer, editor, or a pick). */
async function resolveKustomization(
  deps: ClusterDiffDeps,
  target: Target,
): Promise<FluxKustomization | undefined> {
  const model = deps.repository.store.value.model;
  if (!model) return undefined;
  if (target instanceof vscode.Uri) {
    // From the editor's own context menu the cursor says which document of the file is meant.
    const editor = vscode.window.activeTextEditor;
    const line =
      editor?.document.uri.toString() === target.toString() ? editor.selection.active.line + 1 : undefined;
    return pickKustomization(
      kustomizationsForFile(model, target.fsPath, line),
      'Several Flux Kustomizations apply this file: which one?',
    );
  }
  if (target && 'kustomization' in target && target.kustomization) return target.kustomization;
  if (target && 'id' in target && target.ref) return kustomizationOfRef(model, target.ref);
  if (isRef(target)) return target.kind === 'Kustomization' ? kustomizationOfRef(model, target) : undefined;
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.uri.scheme === 'file') {
    const found = kustomizationsForFile(model, editor.document.uri.fsPath, editor.selection.active.line + 1);
    if (found.length > 0)
      return pickKustomization(found, 'Several Flux Kustomizations apply this file: which one?');
  }
  return pickKustomization(
    [...model.kustomizations.values()].filter((ks) => !ks.external && ks.cluster),
    'Which Flux Kustomization?',
  );
}

type Prepared = { ks: FluxKustomization; cli: FluxCli; target: KustomizationTarget } | { message: string };

/** Trust, the flux CLI, the repository root: what both commands need before running flux. */
async function prepare(
  deps: ClusterDiffDeps,
  ks: FluxKustomization,
  context: string | undefined,
): Promise<Prepared> {
  if (!vscode.workspace.isTrusted) return { message: 'flux is run only in a trusted workspace.' };
  if (ks.external) {
    return {
      message: `Kustomization ${ks.namespace}/${ks.name} builds another repository or artifact, not this one.`,
    };
  }
  const model = deps.repository.store.value.model;
  const cwd = (model && checkoutOf(model, ks.resolvedPath)?.folder) ?? path.dirname(ks.file);
  const lookup = await locateFluxCli({
    configuredPath: readSetting<string>(Setting.fluxPath, ''),
    run: runProcess,
  });
  if (lookup.kind !== 'found') return { message: lookup.message };
  if (!lookup.cli.inMemoryBuild) {
    deps.log.warn(
      `flux ${lookup.cli.version} has no --in-memory-build: while it builds, it writes a kustomization.yaml into ${ks.resolvedPath} and puts it back afterwards`,
    );
  }
  return {
    ks,
    cli: lookup.cli,
    target: {
      name: ks.name,
      namespace: ks.namespace,
      cwd,
      path: ks.resolvedPath,
      kustomizationFile: ks.file,
      context,
    },
  };
}

function fluxEnv(): NodeJS.ProcessEnv {
  const files = kubeconfigFiles({ path: readSetting<string>(Setting.kubeconfig, '') });
  return { ...process.env, KUBECONFIG: files.join(path.delimiter) };
}

function showFailure(deps: ClusterDiffDeps, message: string, settings = false): void {
  deps.log.error(message);
  const actions = settings ? ['Show Log', 'Open Settings'] : ['Show Log'];
  void vscode.window.showErrorMessage(`Flux GitOps: ${message}`, ...actions).then((choice) => {
    if (choice === 'Show Log') deps.log.show(true);
    else if (choice === 'Open Settings')
      void vscode.commands.executeCommand('workbench.action.openSettings', 'fluxGitops.fluxPath');
  });
}

/** Opens one object's live ↔ would-be diff in VS Code's diff editor. */
async function openDiff(deps: ClusterDiffDeps, ks: FluxKustomization, change: ObjectDiff): Promise<void> {
  const base = `/${ks.cluster}/${ks.namespace}/${ks.name}/${change.subject}.yaml`;
  const live = deps.documents.put(`/live${base}`, change.live);
  const wouldBe = deps.documents.put(`/would-be${base}`, change.wouldBe);
  const title = `${change.subject} (${ACTION_TEXT[change.action].text}): cluster ↔ working tree`;
  await vscode.commands.executeCommand('vscode.diff', live, wouldBe, title, { preview: false });
}

/** A list of the changes that stays open while the user opens one diff after the other. */
function showChanges(
  deps: ClusterDiffDeps,
  ks: FluxKustomization,
  changes: ObjectDiff[],
  built: number,
): void {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { change: ObjectDiff }>();
  pick.title = `Flux: ${ks.namespace}/${ks.name} in ${ks.cluster} — ${changes.length} to change, ${built - changes.filter((c) => c.action === 'created' || c.action === 'drifted').length} unchanged`;
  pick.placeholder = 'Open the diff of an object (cluster ↔ working tree)';
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.items = changes.map((change) => ({
    label: `${ACTION_TEXT[change.action].icon} ${change.kind} ${change.name}`,
    description: `${ACTION_TEXT[change.action].text}${change.namespace ? ` · ${change.namespace}` : ''}`,
    detail: change.note,
    change,
  }));
  pick.onDidAccept(() => {
    const selected = pick.selectedItems[0];
    if (selected) void openDiff(deps, ks, selected.change);
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
}

/** "Flux: Diff with Cluster": what applying the working tree would change, object by object. */
export function createDiffWithClusterCommand(
  deps: ClusterDiffDeps,
): (target?: Target, options?: DiffCommandOptions) => Promise<DiffCommandResult> {
  return async (target, options) => {
    const ks = await resolveKustomization(deps, target);
    if (!ks) return { kind: 'no-target' };
    const connection = deps.clusters.connection(ks.cluster);
    if (!connection) {
      const message = `cluster ${ks.cluster} is not connected to a kubeconfig context.`;
      void vscode.window
        .showWarningMessage(`Flux GitOps: ${message}`, 'Select Cluster Context')
        .then((choice) => choice && vscode.commands.executeCommand(CommandId.selectContext, ks.cluster));
      return { kind: 'unavailable', message };
    }
    const prepared = await prepare(deps, ks, connection.context);
    if ('message' in prepared) {
      showFailure(deps, prepared.message, true);
      return { kind: 'unavailable', message: prepared.message };
    }
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Diffing ${ks.namespace}/${ks.name} with ${ks.cluster} (flux ${prepared.cli.version})`,
        cancellable: true,
      },
      async (_progress, token): Promise<DiffOutcome> => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        try {
          const reader = await createObjectReader(connection.kubeConfig);
          return await diffKustomization({
            cli: prepared.cli,
            target: prepared.target,
            env: fluxEnv(),
            reader,
            signal: abort.signal,
            timeoutMs: DEFAULT_FLUX_TIMEOUT_MS,
            onCommand: (line) => deps.log.info(`run: ${line}`),
          });
        } catch (error) {
          return { kind: 'failed', message: describeError(error) };
        } finally {
          subscription.dispose();
        }
      },
    );
    if (outcome.kind === 'cancelled') {
      deps.log.info(`diff of ${ks.namespace}/${ks.name} cancelled`);
      return outcome;
    }
    if (outcome.kind === 'failed') {
      showFailure(deps, outcome.message);
      return outcome;
    }
    deps.log.info(
      `diff of ${ks.namespace}/${ks.name} with ${ks.cluster}: ${outcome.changes.map((c) => `${c.action} ${c.subject}`).join(', ') || 'no change'}`,
    );
    if (outcome.changes.length === 0) {
      void vscode.window.showInformationMessage(
        `Flux GitOps: applying ${ks.namespace}/${ks.name} would change nothing in ${ks.cluster} (${outcome.built} objects).`,
      );
      return outcome;
    }
    const chosen = options?.open ? outcome.changes.find((c) => c.subject === options.open) : undefined;
    if (chosen) await openDiff(deps, ks, chosen);
    else showChanges(deps, ks, outcome.changes, outcome.built);
    return outcome;
  };
}

export type BuildCommandResult =
  | { kind: 'rendered'; uri: vscode.Uri; count: number }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' }
  | { kind: 'no-target' }
  | { kind: 'unavailable'; message: string };

/** "Flux: Build": the objects flux renders from the working tree, read-only, Secrets masked. */
export function createFluxBuildCommand(
  deps: ClusterDiffDeps,
): (target?: Target) => Promise<BuildCommandResult> {
  return async (target) => {
    const ks = await resolveKustomization(deps, target);
    if (!ks) return { kind: 'no-target' };
    // With a connection flux reads postBuild.substituteFrom from the cluster; without, it builds offline.
    const connection = deps.clusters.connection(ks.cluster);
    const prepared = await prepare(deps, ks, connection?.context);
    if ('message' in prepared) {
      showFailure(deps, prepared.message, true);
      return { kind: 'unavailable', message: prepared.message };
    }
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Building ${ks.namespace}/${ks.name} (flux ${prepared.cli.version})`,
        cancellable: true,
      },
      async (_progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        try {
          return await renderKustomization({
            cli: prepared.cli,
            target: prepared.target,
            env: fluxEnv(),
            dryRun: !connection,
            signal: abort.signal,
            onCommand: (line) => deps.log.info(`run: ${line}`),
          });
        } finally {
          subscription.dispose();
        }
      },
    );
    if (outcome.kind === 'cancelled') return outcome;
    if (outcome.kind === 'failed') {
      showFailure(deps, outcome.message);
      return outcome;
    }
    const uri = deps.documents.put(
      `/build/${ks.cluster || 'repository'}/${ks.namespace}/${ks.name}.yaml`,
      outcome.yaml,
    );
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'yaml');
    await vscode.window.showTextDocument(document, { preview: false });
    return { kind: 'rendered', uri, count: outcome.count };
  };
}
