import * as vscode from 'vscode';

/** Opens a manifest with the cursor on the object's first line (1-based). */
export function createOpenObjectCommand(): (file: string, line?: number) => Promise<void> {
  return async (file, line = 1) => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(document, {
      selection: new vscode.Range(position, position),
      preserveFocus: false,
      preview: true,
    });
  };
}
