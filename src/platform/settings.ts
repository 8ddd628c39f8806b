import * as vscode from 'vscode';

/** Every setting key of the extension, in one place. Values are read when used, never cached. */
export const SETTINGS_SECTION = 'fluxGitops';

export const Setting = {
  kubeconfig: 'kubeconfig',
  clusterContexts: 'clusterContexts',
  sopsEngine: 'sops.engine',
  sopsPath: 'sops.path',
  ageKeyFile: 'sops.ageKeyFile',
  codeLens: 'codeLens.enabled',
  ociArtifactFolder: 'ociArtifactFolder',
  fluxVersions: 'fluxVersions',
  fluxPath: 'fluxPath',
} as const;

export function readSetting<T>(key: string, fallback: T, scope?: vscode.ConfigurationScope): T {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<T>(key, fallback);
}
