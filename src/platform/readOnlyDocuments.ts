import * as vscode from 'vscode';

/** The URI scheme of the extension's read-only documents (diff sides, rendered builds). */
export const READ_ONLY_SCHEME = 'flux-gitops';

/**
 * Texts the extension shows but nobody edits: each lives in memory under a `flux-gitops:` URI
 * (VS Code opens content-provider documents read-only) until it is replaced or the extension ends.
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(
    READ_ONLY_SCHEME,
    this,
  );

  /** Stores `text` at `path` (e.g. `/diff/live/Deployment/apps/web.yaml`) and returns its URI. */
  put(path: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: READ_ONLY_SCHEME, path });
    const key = uri.toString();
    const previous = this.texts.get(key);
    this.texts.set(key, text);
    if (previous !== undefined && previous !== text) this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.texts.clear();
  }
}
