import * as path from 'path';
import * as vscode from 'vscode';
import { createSopsService, type SopsService } from '../core/sops';
import { readSetting, Setting } from './settings';

/**
 * A SOPS service for one file, built from the settings as they are now (read when used):
 * engine, sops path, age key file (relative paths are taken from the file's workspace folder),
 * and workspace trust (no sops binary and no SOPS_AGE_KEY_CMD in an untrusted workspace).
 */
export function sopsServiceFor(file: vscode.Uri): SopsService {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  const root = folder?.uri.fsPath ?? path.dirname(file.fsPath);
  const engine = readSetting<'auto' | 'native' | 'cli'>(Setting.sopsEngine, 'auto', file);
  const sopsPath = readSetting<string>(Setting.sopsPath, '', file).trim();
  const keyFile = readSetting<string>(Setting.ageKeyFile, '', file).trim();
  return createSopsService({
    root,
    engine: engine === 'cli' ? 'cli' : 'native',
    sopsPath: sopsPath || undefined,
    ageKeyFile: keyFile ? path.resolve(root, keyFile) : undefined,
    allowProcesses: vscode.workspace.isTrusted,
  });
}
