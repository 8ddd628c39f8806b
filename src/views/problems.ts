import * as vscode from 'vscode';
import type { Store } from '../core/store';
import type { RepositoryState } from '../platform/repositoryService';

/** Publishes the repository model's problems to the Problems panel. */
export function createProblemsView(store: Store<RepositoryState>): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('flux-gitops');
  let shown: RepositoryState['model'] | undefined;
  const render = (state: RepositoryState): void => {
    // A scan starting or ending alone (same model) changes no problem.
    if (state.model === shown) return;
    shown = state.model;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const problem of state.model?.problems ?? []) {
      const line = Math.max(0, problem.line - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        problem.message,
        problem.severity === 'error'
          ? vscode.DiagnosticSeverity.Error
          : problem.severity === 'warning'
            ? vscode.DiagnosticSeverity.Warning
            : vscode.DiagnosticSeverity.Information,
      );
      diagnostic.source = 'Flux GitOps';
      diagnostic.code = problem.code;
      const list = byFile.get(problem.file) ?? [];
      list.push(diagnostic);
      byFile.set(problem.file, list);
    }
    collection.clear();
    for (const [file, diagnostics] of byFile) collection.set(vscode.Uri.file(file), diagnostics);
  };
  render(store.value);
  const subscription = store.subscribe(render);
  return vscode.Disposable.from({ dispose: () => subscription.dispose() }, collection);
}
