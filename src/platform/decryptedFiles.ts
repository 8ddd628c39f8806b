import * as vscode from 'vscode';

const STATE_KEY = 'fluxGitops.decryptedInPlace';

/**
 * The files the user decrypted in place and has not encrypted again. Kept in workspace state
 * so the warning survives a reload; shown as a file decoration and a Problem until the file
 * is encrypted again (by us or by `sops --encrypt`).
 */
export class DecryptedFiles implements vscode.Disposable, vscode.FileDecorationProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('flux-gitops-sops');
  private readonly registration: vscode.Disposable;

  constructor(private readonly state: vscode.Memento) {
    this.registration = vscode.window.registerFileDecorationProvider(this);
    this.render();
  }

  private get files(): string[] {
    return this.state.get<string[]>(STATE_KEY, []);
  }

  has(uri: vscode.Uri): boolean {
    return this.files.includes(uri.fsPath);
  }

  async mark(uri: vscode.Uri): Promise<void> {
    if (!this.has(uri)) await this.state.update(STATE_KEY, [...this.files, uri.fsPath]);
    this.render();
    this.changed.fire([uri]);
  }

  async unmark(uri: vscode.Uri): Promise<void> {
    if (!this.has(uri)) return;
    await this.state.update(
      STATE_KEY,
      this.files.filter((file) => file !== uri.fsPath),
    );
    this.render();
    this.changed.fire([uri]);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (!this.has(uri)) return undefined;
    return new vscode.FileDecoration(
      'D',
      'Decrypted in place: encrypt it again before you commit',
      new vscode.ThemeColor('list.errorForeground'),
    );
  }

  private render(): void {
    this.diagnostics.clear();
    for (const file of this.files) {
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(0, 0, 0, 0),
        'This SOPS file is decrypted in place: the plaintext is on disk. Run "Flux: SOPS: Encrypt in Place" before you commit.',
        vscode.DiagnosticSeverity.Error,
      );
      diagnostic.source = 'Flux GitOps';
      diagnostic.code = 'sops-decrypted-in-place';
      this.diagnostics.set(vscode.Uri.file(file), [diagnostic]);
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}
