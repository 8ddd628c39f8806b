import * as vscode from 'vscode';
import { createLog, type Log } from './platform/log';
import { CommandId } from './platform/commandIds';
import { createShowLogCommand } from './commands/showLog';
import { createUnavailableCommand } from './commands/unavailable';

/** What activate() returns: used by the integration tests to look inside. */
export interface ExtensionApi {
  readonly registeredCommands: readonly string[];
  readonly activatedAt: number;
}

/**
 * The composition root. It builds every service, view and command once, and owns every
 * disposable; dispose() releases them in reverse order of creation.
 */
export class Container implements vscode.Disposable {
  readonly log: Log;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly commandIds: string[] = [];
  private readonly activatedAt = Date.now();

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.own(createLog());
  }

  get api(): ExtensionApi {
    return { registeredCommands: [...this.commandIds], activatedAt: this.activatedAt };
  }

  /** Takes ownership of a disposable; returns it for chaining. */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  registerCommand(id: string, handler: (...args: never[]) => unknown): void {
    this.own(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
    this.commandIds.push(id);
  }

  async start(): Promise<void> {
    this.registerCommand(CommandId.showLog, createShowLogCommand({ log: this.log }));
    const clusterActions = 'Acting on the cluster (reconcile, suspend, resume)';
    this.registerCommand(CommandId.reconcile, createUnavailableCommand(clusterActions));
    this.registerCommand(CommandId.reconcileWithSource, createUnavailableCommand(clusterActions));
    this.registerCommand(CommandId.suspend, createUnavailableCommand(clusterActions));
    this.registerCommand(CommandId.resume, createUnavailableCommand(clusterActions));
    this.registerCommand(CommandId.selectContext, createUnavailableCommand('Connecting to a cluster'));
    this.registerCommand(CommandId.newApp, createUnavailableCommand('Scaffolding a new app'));
    await Promise.resolve();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch (error) {
        console.error('Flux GitOps: dispose failed', error);
      }
    }
  }
}
