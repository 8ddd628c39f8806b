import * as vscode from 'vscode';
import type { Log } from '../platform/log';
import type { RepositoryService } from '../platform/repositoryService';

/** Rescans and reports the repository's problems, like `flux-gitops check` on the command line. */
export function createCheckRepositoryCommand(deps: {
  repository: RepositoryService;
  log: Log;
}): () => Promise<void> {
  return async () => {
    const model = await deps.repository.rescan();
    if (!model) {
      await vscode.window
        .showErrorMessage('Flux GitOps: the repository could not be scanned. See the log.', 'Show Log')
        .then((choice) => choice && deps.log.show(true));
      return;
    }
    const errors = model.problems.filter((p) => p.severity === 'error').length;
    const warnings = model.problems.length - errors;
    if (model.problems.length === 0) {
      await vscode.window.showInformationMessage(
        `Flux GitOps: no problems in ${model.kustomizations.size} Flux Kustomization(s) and ${model.objects.length} object(s).`,
      );
      return;
    }
    const message = `Flux GitOps: ${errors} error(s), ${warnings} warning(s) in the repository.`;
    const show = errors > 0 ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const choice = await show(message, 'Show Problems');
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
  };
}
