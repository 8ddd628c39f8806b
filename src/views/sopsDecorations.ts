import * as vscode from 'vscode';
import type { Store } from '../core/store';
import type { RepositoryState } from '../platform/repositoryService';
import { CommandId } from '../platform/commandIds';

/** A lock on every SOPS-encrypted file the repository model knows, in the explorer and in tabs. */
export class SopsFileDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private encrypted = new Set<string>();
  private readonly disposables: vscode.Disposable[];

  constructor(store: Store<RepositoryState>) {
    this.update(store.value);
    const subscription = store.subscribe((state) => this.update(state));
    this.disposables = [
      vscode.window.registerFileDecorationProvider(this),
      { dispose: () => subscription.dispose() },
    ];
  }

  private update(state: RepositoryState): void {
    const next = new Set(
      (state.model?.objects ?? []).filter((o) => o.sops === 'encrypted').map((o) => o.file),
    );
    const changed = [...next]
      .filter((f) => !this.encrypted.has(f))
      .concat([...this.encrypted].filter((f) => !next.has(f)));
    this.encrypted = next;
    if (changed.length > 0) this.changed.fire(changed.map((file) => vscode.Uri.file(file)));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== 'file' || !this.encrypted.has(uri.fsPath)) return undefined;
    // A letter like the SCM badges: emoji may be missing from the user's fonts.
    return new vscode.FileDecoration('S', 'Encrypted with SOPS');
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.changed.dispose();
  }
}

const ENC_VALUE =
  /ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:([a-z]+)\]/g;

/** Hovering an `ENC[...]` value says what it is, its type, and how to see it. */
export function createSopsHover(): vscode.Disposable {
  return vscode.languages.registerHoverProvider(
    [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', language: 'json' },
      { scheme: 'file', language: 'dotenv' },
      { scheme: 'file', language: 'properties' },
    ],
    {
      provideHover(document, position) {
        const line = document.lineAt(position.line).text;
        for (const match of line.matchAll(ENC_VALUE)) {
          const start = match.index ?? 0;
          const end = start + match[0].length;
          if (position.character < start || position.character > end) continue;
          const type = match[1];
          const what = type === 'comment' ? 'an encrypted comment' : `an encrypted value of type \`${type}\``;
          const args = encodeURIComponent(JSON.stringify([document.uri]));
          const markdown = new vscode.MarkdownString(
            `**SOPS**: ${what} (AES-256-GCM).\n\n[Edit Decrypted](command:${CommandId.sopsEditDecrypted}?${args}) to see and change it without plaintext on disk.`,
          );
          markdown.isTrusted = { enabledCommands: [CommandId.sopsEditDecrypted] };
          return new vscode.Hover(markdown, new vscode.Range(position.line, start, position.line, end));
        }
        return undefined;
      },
    },
  );
}
