import * as vscode from 'vscode';
import { isFluxKind, type ClusterRef } from '../core/cluster';
import { reconcile, resume, suspend, waitForReconcile, type ReconcileOutcome } from '../core/flux';
import type { RepoNode } from '../core/tree/repoTree';
import type { ClusterService } from '../platform/clusterService';
import { CommandId } from '../platform/commandIds';
import { describeError, type Log } from '../platform/log';
import type { RepositoryService } from '../platform/repositoryService';

export interface FluxActionDeps {
  log: Log;
  clusters: ClusterService;
  repository: RepositoryService;
}

/** What an action may be given: a tree node, a cluster object (CodeLens, tests), or nothing (the editor's object). */
type Target = RepoNode | ClusterRef | undefined;

export type ActionResult = { ok: true; message: string } | { ok: false; message: string };

function isRef(value: unknown): value is ClusterRef {
  const ref = value as ClusterRef | undefined;
  return (
    !!ref && typeof ref.cluster === 'string' && typeof ref.name === 'string' && isFluxKind(String(ref.kind))
  );
}

/** The Flux object under the cursor of the active editor, in the cluster whose Kustomization applies it. */
function refAtCursor(repository: RepositoryService): ClusterRef | undefined {
  const editor = vscode.window.activeTextEditor;
  const model = repository.store.value.model;
  if (!editor || !model) return undefined;
  const file = editor.document.uri.fsPath;
  const line = editor.selection.active.line + 1;
  const objects = model.objects
    .filter((o) => o.file === file && o.line <= line && isFluxKind(o.kind))
    .sort((a, b) => b.line - a.line);
  const object = objects[0] ?? model.objects.find((o) => o.file === file && isFluxKind(o.kind));
  if (!object) return undefined;
  const ks = object.appliedBy.map((key) => model.kustomizations.get(key)).find(Boolean);
  const cluster = ks?.cluster ?? model.clusters[0]?.name;
  if (!cluster || !isFluxKind(object.kind)) return undefined;
  return { cluster, kind: object.kind, namespace: object.namespace || 'default', name: object.name };
}

async function pickRef(deps: FluxActionDeps, placeholder: string): Promise<ClusterRef | undefined> {
  const entries = deps.clusters.store.list();
  if (entries.length === 0) {
    void vscode.window
      .showWarningMessage('Flux GitOps: no cluster is connected.', 'Select Cluster Context')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand(CommandId.selectContext);
      });
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    entries
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((entry) => ({
        label: `${entry.ref.kind} ${entry.ref.name}`,
        description: `${entry.ref.namespace} · ${entry.ref.cluster}`,
        detail: `${entry.status.state}${entry.status.shortRevision ? ` · ${entry.status.shortRevision}` : ''}: ${entry.status.message}`,
        ref: entry.ref,
      })),
    { placeHolder: placeholder, matchOnDescription: true },
  );
  return picked?.ref;
}

async function resolveTarget(
  deps: FluxActionDeps,
  target: Target,
  placeholder: string,
): Promise<ClusterRef | undefined> {
  if (isRef(target)) return target;
  if (target && 'ref' in target && target.ref) return target.ref;
  return refAtCursor(deps.repository) ?? (await pickRef(deps, placeholder));
}

function label(ref: ClusterRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** The connection for an action, or a clear message why there is none. */
function connectionFor(deps: FluxActionDeps, ref: ClusterRef): ReturnType<ClusterService['connection']> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'Flux GitOps: cluster actions are disabled in an untrusted workspace.',
    );
    return undefined;
  }
  const connection = deps.clusters.connection(ref.cluster);
  if (!connection) {
    void vscode.window
      .showWarningMessage(
        `Flux GitOps: cluster ${ref.cluster} is not connected to a kubeconfig context.`,
        'Select Cluster Context',
      )
      .then((choice) => choice && vscode.commands.executeCommand(CommandId.selectContext, ref.cluster));
  }
  return connection;
}

function report(deps: FluxActionDeps, result: ActionResult): ActionResult {
  if (result.ok) {
    deps.log.info(result.message);
    void vscode.window.showInformationMessage(`Flux GitOps: ${result.message}`);
  } else {
    deps.log.error(result.message);
    void vscode.window
      .showErrorMessage(`Flux GitOps: ${result.message}`, 'Show Log')
      .then((choice) => choice && deps.log.show(true));
  }
  return result;
}

export interface ReconcileVariant {
  /** Reconcile the source first, as `flux reconcile ... --with-source` (always for a Kustomization). */
  withSource?: boolean;
  /** HelmRelease: force a one-off upgrade (forceAt). */
  force?: boolean;
  /** HelmRelease: reset the remediation retries (resetAt). */
  reset?: boolean;
}

/** Reconcile (with its source first when asked, always for a Kustomization) and follow it to the end. */
export function createReconcileCommand(
  deps: FluxActionDeps,
  variant: ReconcileVariant,
): (target?: Target) => Promise<ActionResult | undefined> {
  return async (target) => {
    const ref = await resolveTarget(deps, target, 'Reconcile which Flux object?');
    if (!ref) return undefined;
    // A Kustomization is reconciled with its source by default, as `flux reconcile ks --with-source`.
    const withSource = variant.withSource === true || ref.kind === 'Kustomization';
    if ((variant.force || variant.reset) && ref.kind !== 'HelmRelease') {
      return report(deps, {
        ok: false,
        message: `force and reset apply to HelmReleases only, not to ${label(ref)}`,
      });
    }
    const connection = connectionFor(deps, ref);
    if (!connection) return undefined;
    const how = [
      withSource ? 'with its source' : '',
      variant.force ? 'forced' : '',
      variant.reset ? 'reset' : '',
    ];
    deps.log.info(`reconcile ${label(ref)} in ${ref.cluster} ${how.filter(Boolean).join(', ')}`.trim());
    const outcome = await vscode.window.withProgress<ReconcileOutcome | undefined>(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Reconciling ${label(ref)}`,
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        try {
          return await reconcile(connection.api, deps.clusters.store, ref.cluster, ref, {
            withSource,
            force: variant.force,
            reset: variant.reset,
            signal: abort.signal,
            onStep: (step, index, total) =>
              progress.report({
                message: `${index + 1}/${total}: ${step.kind} ${step.namespace}/${step.name}`,
              }),
          });
        } catch (error) {
          deps.log.error(`reconcile ${label(ref)}: ${describeError(error)}`);
          return undefined;
        } finally {
          subscription.dispose();
        }
      },
    );
    if (!outcome)
      return report(deps, { ok: false, message: `reconcile of ${label(ref)} failed: see the log` });
    return report(deps, {
      ok: outcome.ok,
      message: outcome.ok ? `${label(ref)}: ${outcome.message}` : outcome.message,
    });
  };
}

/** `flux suspend` after a confirmation: spec.suspend=true, nothing else. */
export function createSuspendCommand(
  deps: FluxActionDeps,
): (target?: Target, options?: { confirmed?: boolean }) => Promise<ActionResult | undefined> {
  return async (target, options) => {
    const ref = await resolveTarget(deps, target, 'Suspend which Flux object?');
    if (!ref) return undefined;
    const connection = connectionFor(deps, ref);
    if (!connection) return undefined;
    if (!options?.confirmed) {
      const choice = await vscode.window.showWarningMessage(
        `Suspend ${label(ref)} in ${ref.cluster}?`,
        {
          modal: true,
          detail: 'Flux stops reconciling it until it is resumed: what is pushed to Git is not applied.',
        },
        'Suspend',
      );
      if (choice !== 'Suspend') return undefined;
    }
    const result = await suspend(connection.api, ref);
    return report(
      deps,
      result.kind === 'done'
        ? { ok: true, message: `suspended ${label(ref)}` }
        : { ok: false, message: result.message },
    );
  };
}

/** `flux resume`: spec.suspend removed and a reconcile requested, then followed to the end. */
export function createResumeCommand(
  deps: FluxActionDeps,
): (target?: Target) => Promise<ActionResult | undefined> {
  return async (target) => {
    const ref = await resolveTarget(deps, target, 'Resume which Flux object?');
    if (!ref) return undefined;
    const connection = connectionFor(deps, ref);
    if (!connection) return undefined;
    const result = await resume(connection.api, ref);
    if (result.kind !== 'done') return report(deps, { ok: false, message: result.message });
    if (!result.token) return report(deps, { ok: true, message: `resumed ${label(ref)}` });
    const token = result.token;
    const completion = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Resuming ${label(ref)}`, cancellable: true },
      async (_progress, cancel) => {
        const abort = new AbortController();
        const subscription = cancel.onCancellationRequested(() => abort.abort());
        try {
          return await waitForReconcile(deps.clusters.store, ref, token, { signal: abort.signal });
        } finally {
          subscription.dispose();
        }
      },
    );
    return report(
      deps,
      completion.kind === 'succeeded'
        ? { ok: true, message: `resumed ${label(ref)}: ${completion.message}` }
        : { ok: false, message: `resumed ${label(ref)}, but: ${completion.message}` },
    );
  };
}

/** The Flux Kustomization(s) that apply a file (explorer), reconciled with their source. */
export function createReconcileAppliedByCommand(
  deps: FluxActionDeps,
): (uri?: vscode.Uri) => Promise<ActionResult | undefined> {
  const reconcileWithSource = createReconcileCommand(deps, { withSource: true });
  return async (uri) => {
    const file = (uri ?? vscode.window.activeTextEditor?.document.uri)?.fsPath;
    const model = deps.repository.store.value.model;
    if (!file || !model) return undefined;
    const keys = new Set(model.objects.filter((o) => o.file === file).flatMap((o) => o.appliedBy));
    const candidates: ClusterRef[] = [...keys]
      .map((key) => model.kustomizations.get(key))
      .filter((ks): ks is NonNullable<typeof ks> => !!ks)
      .map((ks) => ({ cluster: ks.cluster, kind: 'Kustomization', namespace: ks.namespace, name: ks.name }));
    if (candidates.length === 0) {
      void vscode.window.showWarningMessage('Flux GitOps: no Flux Kustomization applies this file.');
      return undefined;
    }
    const picked =
      candidates.length === 1
        ? candidates[0]
        : (
            await vscode.window.showQuickPick(
              candidates.map((ref) => ({
                label: ref.name,
                description: `${ref.namespace} · ${ref.cluster}`,
                ref,
              })),
              { placeHolder: 'Several Flux Kustomizations apply this file: which one?' },
            )
          )?.ref;
    return picked ? reconcileWithSource(picked) : undefined;
  };
}
