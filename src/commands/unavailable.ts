import * as vscode from 'vscode';

/**
 * Handler for a contributed command whose capability this build does not have yet. Its
 * `enablement` context key stays false, so menus and the palette show it disabled; invoked
 * programmatically it says so plainly instead of failing with "command not found".
 */
export function createUnavailableCommand(capability: string): () => Promise<void> {
  return async () => {
    await vscode.window.showInformationMessage(
      `Flux GitOps: ${capability} is not available in this version yet.`,
    );
  };
}
