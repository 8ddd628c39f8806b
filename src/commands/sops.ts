import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../core/fs/atomicWrite';
import { withFileLock } from '../core/fs/fileLock';
import type { RepoNode } from '../core/tree/repoTree';
import type { DecryptedFiles } from '../platform/decryptedFiles';
import { ageRecipientsIn, describeNeededAgeKey, isSopsError } from '../core/sops';
import { describeError, type Log } from '../platform/log';
import type { SecretEditorProvider } from '../platform/secretEditor';
import { Setting, SETTINGS_SECTION } from '../platform/settings';
import { sopsServiceFor } from '../platform/sops';

export interface SopsCommandDeps {
  log: Log;
  decryptedFiles: DecryptedFiles;
  secretEditor: SecretEditorProvider;
}

/** The file a command acts on: the explorer's or the tree's selection, else the active editor's file. */
function targetFile(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return onDisk(arg);
  const node = arg as RepoNode | undefined;
  if (node?.location?.file) return vscode.Uri.file(node.location.file);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active) return onDisk(active);
  // The decrypted editor is a custom editor: its tab's URI is the encrypted file.
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return tab instanceof vscode.TabInputCustom ? onDisk(tab.uri) : undefined;
}

/** The file on disk behind a URI. */
function onDisk(uri: vscode.Uri): vscode.Uri {
  return uri.scheme === 'file' ? uri : vscode.Uri.file(uri.path);
}

/** Saves an open, modified copy of the file first (with the user's consent), so disk and editor agree. */
async function savedOrCancelled(file: vscode.Uri, action: string): Promise<boolean> {
  const document = vscode.workspace.textDocuments.find(
    (d) => d.uri.scheme === 'file' && d.uri.fsPath === file.fsPath,
  );
  if (!document?.isDirty) return true;
  const choice = await vscode.window.showWarningMessage(
    `${path.basename(file.fsPath)} has unsaved changes. Save them before you ${action} it?`,
    { modal: true },
    'Save',
  );
  return choice === 'Save' && (await document.save());
}

/** Logs the failure and shows it without waiting for the user (the command's result is known now). */
function reportFailure(deps: SopsCommandDeps, action: string, file: vscode.Uri, error: unknown): void {
  const name = path.basename(file.fsPath);
  if (isSopsError(error, 'no-identity')) {
    void reportMissingKey(deps, action, file, error.message);
    return;
  }
  // A missing sops binary's message already says how to install it.
  const message = `Flux GitOps: could not ${action} ${name}: ${describeError(error)}`;
  deps.log.error(`${action} ${file.fsPath}: ${describeError(error)}`);
  void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => choice && deps.log.show(true));
}

/**
 * No age identity opens the file: say which key is needed (the file's recipients) and offer the
 * two ways forward, instead of the engine's list of every place it looked (that goes to the log).
 */
async function reportMissingKey(deps: SopsCommandDeps, action: string, file: vscode.Uri, detail: string) {
  deps.log.error(`${action} ${file.fsPath}: ${detail}`);
  const text = await fs.readFile(file.fsPath, 'utf8').catch(() => '');
  const needed = describeNeededAgeKey(ageRecipientsIn(text));
  const choice = await vscode.window.showErrorMessage(
    `Flux GitOps: cannot ${action} ${path.basename(file.fsPath)}: it needs ${needed}, and no age key file you have holds it.`,
    'Set Age Key File…',
    'Open the Log',
  );
  if (choice === 'Open the Log') deps.log.show(true);
  if (choice !== 'Set Age Key File…') return;
  const picked = await vscode.window.showOpenDialog({
    title: 'The age key file (keys.txt) that holds the identity',
    canSelectMany: false,
    openLabel: 'Use This Key File',
  });
  if (!picked?.[0]) return;
  const folder = vscode.workspace.getWorkspaceFolder(file);
  await vscode.workspace
    .getConfiguration(SETTINGS_SECTION, file)
    .update(
      Setting.ageKeyFile,
      picked[0].fsPath,
      folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global,
    );
  deps.log.info(`fluxGitops.sops.ageKeyFile set to ${picked[0].fsPath}`);
}

function noFile(): void {
  void vscode.window.showErrorMessage(
    'Flux GitOps: select a file in the explorer or the Flux view, or open one in the editor.',
  );
}

/** Encrypts the file in place by the first matching creation rule of the nearest .sops.yaml. */
export function createEncryptCommand(deps: SopsCommandDeps): (arg?: unknown) => Promise<boolean> {
  return async (arg) => {
    const file = targetFile(arg);
    if (!file) {
      noFile();
      return false;
    }
    if (!(await savedOrCancelled(file, 'encrypt'))) return false;
    try {
      await withFileLock(file.fsPath, async () => {
        const text = await fs.readFile(file.fsPath, 'utf8');
        const encrypted = await sopsServiceFor(file).encryptText(file.fsPath, text);
        await writeFileAtomic(file.fsPath, encrypted);
      });
      await deps.decryptedFiles.unmark(file);
      deps.log.info(`encrypted ${file.fsPath} in place`);
      void vscode.window.showInformationMessage(
        `Flux GitOps: encrypted ${path.basename(file.fsPath)} with SOPS.`,
      );
      return true;
    } catch (error) {
      reportFailure(deps, 'encrypt', file, error);
      return false;
    }
  };
}

/** Decrypts the file in place after an explicit confirmation, and marks it until it is encrypted again. */
export function createDecryptCommand(
  deps: SopsCommandDeps,
): (arg?: unknown, options?: { confirmed?: boolean }) => Promise<boolean> {
  return async (arg, options) => {
    const file = targetFile(arg);
    if (!file) {
      noFile();
      return false;
    }
    const name = path.basename(file.fsPath);
    if (!options?.confirmed) {
      const choice = await vscode.window.showWarningMessage(
        `Decrypt ${name} in place?`,
        {
          modal: true,
          detail:
            'The secret values will be written to disk in plaintext until you encrypt the file again. ' +
            'To change a value without plaintext on disk, use "SOPS: Edit Decrypted" instead.',
        },
        'Decrypt in Place',
      );
      if (choice !== 'Decrypt in Place') return false;
    }
    if (!(await savedOrCancelled(file, 'decrypt'))) return false;
    try {
      await withFileLock(file.fsPath, async () => {
        const text = await fs.readFile(file.fsPath, 'utf8');
        const plaintext = await sopsServiceFor(file).decryptText(file.fsPath, text);
        await writeFileAtomic(file.fsPath, plaintext);
      });
      await deps.decryptedFiles.mark(file);
      deps.log.warn(`decrypted ${file.fsPath} in place: plaintext on disk until it is encrypted again`);
      return true;
    } catch (error) {
      reportFailure(deps, 'decrypt', file, error);
      return false;
    }
  };
}

/** Opens the decrypted content in an editor that lives only in memory; saving re-encrypts. */
export function createEditDecryptedCommand(deps: SopsCommandDeps): (arg?: unknown) => Promise<boolean> {
  return async (arg) => {
    const file = targetFile(arg);
    if (!file) {
      noFile();
      return false;
    }
    try {
      await deps.secretEditor.open(file);
      return true;
    } catch (error) {
      reportFailure(deps, 'decrypt', file, error);
      return false;
    }
  };
}
