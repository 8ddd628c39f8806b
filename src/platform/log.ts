import * as vscode from 'vscode';

/** The extension's log, shown in the Output panel as "Flux GitOps". */
export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('Flux GitOps', { log: true });
}

/** Formats an unknown thrown value for the log and for messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
