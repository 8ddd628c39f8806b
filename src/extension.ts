import * as vscode from 'vscode';
import { Container, type ExtensionApi } from './container';

let container: Container | undefined;

/** Builds the composition root; every disposable the extension creates is owned by it. */
export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const started = performance.now();
  container = new Container(context);
  await container.start();
  container.activationMs = performance.now() - started;
  container.log.info(`Flux GitOps activated in ${container.activationMs.toFixed(1)} ms`);
  return container.api;
}

export function deactivate(): void {
  container?.dispose();
  container = undefined;
}
