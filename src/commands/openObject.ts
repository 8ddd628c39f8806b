import * as vscode from 'vscode';

/** Where a tree row leads, looked up when the command runs. */
export interface SelectedLocation {
  (): { file: string; line: number } | undefined;
}

/**
 * Opens a manifest with the cursor on the object's first line (1-based). Tree rows call it with
 * no arguments and it opens the selected row: a row's command arguments are dropped by VS Code
 * whenever the row re-renders, and live status re-renders rows often.
 */
export function createOpenObjectCommand(deps: {
  selected: SelectedLocation;
}): (file?: string, line?: number) => Promise<void> {
  return async (file, line) => {
    const target = typeof file === 'string' ? { file, line: line ?? 1 } : deps.selected();
    if (!target) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(target.file));
    const position = new vscode.Position(Math.max(0, target.line - 1), 0);
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(position, position),
      preserveFocus: false,
      preview: true,
    });
  };
}
