import * as path from 'path';
import * as vscode from 'vscode';
import { checkoutOf, type RepoModel } from '../core/repo/model';
import {
  answersOf,
  applyPlan,
  initialState,
  listTargets,
  NEW_APP_TITLE,
  newAppSteps,
  planScaffold,
  withTargets,
  type AppliedScaffold,
  type HelmWorkload,
  type PlainWorkload,
  type ScaffoldIssue,
  type ScaffoldPlan,
  type SecretInput,
} from '../core/scaffold';
import { runWizard, type WizardUi } from '../core/wizard';
import type { RepoNode } from '../core/tree/repoTree';
import { describeError, type Log } from '../platform/log';
import type { RepositoryService } from '../platform/repositoryService';
import { sopsServiceFor } from '../platform/sops';
import { quickInputWizardUi } from '../platform/wizard';

/**
 * Answers given up front (keybindings, tests, the tree's `+`): each skips its question; when
 * what to deploy (`workload`) is given, the namespace defaults to the name and no Secret is added
 * unless given. `target` is a Flux Kustomization's name or key.
 */
export interface NewAppArgs {
  cluster?: string;
  target?: string;
  name?: string;
  namespace?: string;
  workload?: HelmWorkload | PlainWorkload;
  secret?: SecretInput;
  allowPlaintextSecret?: boolean;
  /** Open the main manifest afterwards (default true). */
  open?: boolean;
}

export type NewAppResult =
  | { ok: true; plan: ScaffoldPlan; applied: AppliedScaffold }
  | { ok: false; issues: ScaffoldIssue[] }
  | { ok: false; cancelled: true };

const CANCELLED: NewAppResult = { ok: false, cancelled: true };

function targetKey(
  model: RepoModel,
  cluster: string | undefined,
  target: string,
): { cluster: string; key: string } | undefined {
  for (const c of listTargets(model)) {
    if (cluster && c.cluster !== cluster) continue;
    const found = c.targets.find((t) => t.key === target || t.name === target);
    if (found) return { cluster: c.cluster, key: found.key };
  }
  return undefined;
}

/** "Flux: New App": folder, manifests and the parent kustomization.yaml entry as one undoable operation. */
export function createNewAppCommand(deps: {
  log: Log;
  repository: RepositoryService;
  /** The questions' UI (default: VS Code's quick input). */
  ui?: WizardUi;
}): (arg?: RepoNode | NewAppArgs) => Promise<NewAppResult> {
  return async (arg) => {
    const model = deps.repository.store.value.model ?? (await deps.repository.rescan());
    if (!model) return CANCELLED;
    const given: NewAppArgs | undefined =
      arg && !('kind' in arg && 'id' in arg) ? (arg as NewAppArgs) : undefined;
    const node = given ? undefined : (arg as RepoNode | undefined);
    let resolved: { cluster: string; key: string } | undefined;
    if (given?.target !== undefined) {
      resolved = targetKey(model, given.cluster, given.target);
      if (!resolved)
        return {
          ok: false,
          issues: [
            { field: 'target', message: `No Flux Kustomization "${given.target}" holds app folders.` },
          ],
        };
    }
    const clusters = withTargets(model);
    if (clusters.length === 0) {
      void vscode.window.showWarningMessage(
        'Flux GitOps: no Flux Kustomization here holds app folders to add an app to.',
      );
      return CANCELLED;
    }
    // A tree node (a Kustomization) pre-selects its cluster and target.
    const fromNode = node?.kustomization?.key;
    const preset = clusters.find((c) => c.targets.some((t) => t.key === fromNode));
    const initial = initialState(
      {
        ...(given ?? {}),
        cluster: resolved?.cluster ?? given?.cluster,
        target: resolved?.key,
      },
      preset ? { cluster: preset.cluster, target: fromNode } : {},
    );
    const state = await runWizard(
      NEW_APP_TITLE,
      newAppSteps(model, clusters),
      initial,
      deps.ui ?? quickInputWizardUi(),
    );
    if (!state) return CANCELLED;
    const answers = answersOf(state);

    const targetFolder = model.kustomizations.get(answers.target)?.resolvedPath ?? '';
    const repoRoot =
      checkoutOf(model, targetFolder)?.folder ??
      vscode.workspace.getWorkspaceFolder(vscode.Uri.file(targetFolder))?.uri.fsPath;
    const input = { model, ...answers, allowPlaintextSecret: given?.allowPlaintextSecret };
    let planned = await planScaffold(input, { repoRoot });
    // No .sops.yaml rule for a Secret typed in: plaintext only with the user's explicit consent.
    if (
      !planned.ok &&
      !given?.secret &&
      planned.issues.every((i) => i.field === 'secret') &&
      answers.secret
    ) {
      const consent = await vscode.window.showWarningMessage(
        `${planned.issues.map((i) => i.message).join(' ')} Write the Secret in plaintext anyway?`,
        { modal: true, detail: 'It would be committed unencrypted unless you encrypt it before you commit.' },
        'Write Plaintext Secret',
      );
      if (consent !== 'Write Plaintext Secret') return CANCELLED;
      planned = await planScaffold({ ...input, allowPlaintextSecret: true }, { repoRoot });
    }
    if (!planned.ok) {
      const message = planned.issues.map((issue) => issue.message).join(' ');
      deps.log.warn(`new app ${answers.name}: ${message}`);
      void vscode.window.showErrorMessage(`Flux GitOps: cannot create ${answers.name}: ${message}`);
      return { ok: false, issues: planned.issues };
    }
    const plan = planned.plan;
    let applied: AppliedScaffold;
    try {
      applied = await applyPlan(plan, {
        encrypt: (file, plaintext) =>
          sopsServiceFor(vscode.Uri.file(file)).encryptText(file, plaintext, { root: repoRoot }),
      });
    } catch (error) {
      deps.log.error(`new app ${answers.name}: ${describeError(error)} (nothing was left written)`);
      void vscode.window.showErrorMessage(
        `Flux GitOps: could not create ${answers.name}: ${describeError(error)}. Nothing was written.`,
      );
      return { ok: false, issues: [{ field: 'template', message: describeError(error) }] };
    }
    deps.log.info(
      `new app ${answers.name}: created ${applied.created.map((f) => f.path).join(', ')}; edited ${applied.edited.map((f) => f.path).join(', ')}`,
    );
    for (const note of plan.notes) deps.log.info(`new app ${answers.name}: ${note}`);
    // What was written is known: an update with those files, not a full scan.
    const updated = deps.repository.update([...applied.created, ...applied.edited].map((f) => f.path));
    if (given?.open !== false) {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(plan.mainFile), {
        preview: false,
      });
    }
    await updated;
    const relative = path.relative(path.dirname(targetFolder), plan.appFolder);
    void vscode.window
      .showInformationMessage(
        `Flux GitOps: created ${relative}/ (${applied.created.length} files) and listed it in ${path.basename(path.dirname(applied.edited[0]?.path ?? ''))}/kustomization.yaml.`,
        'Undo',
      )
      .then(async (choice) => {
        if (choice !== 'Undo') return;
        try {
          await applied.undo();
          await deps.repository.update(
            applied.edited.map((f) => f.path),
            [...applied.created.map((f) => f.path), ...applied.folders],
          );
          void vscode.window.showInformationMessage(`Flux GitOps: removed ${relative}/ again.`);
        } catch (error) {
          void vscode.window.showErrorMessage(`Flux GitOps: undo failed: ${describeError(error)}`);
        }
      });
    return { ok: true, plan, applied };
  };
}
