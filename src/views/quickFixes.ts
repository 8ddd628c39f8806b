import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { referenceCandidates, referenceNameSpan } from '../core/repo/fixes';
import type { Problem } from '../core/repo/model';
import { addResource } from '../core/scaffold/kustomizeEdit';
import type { Store } from '../core/store';
import { CommandId } from '../platform/commandIds';
import type { RepositoryState } from '../platform/repositoryService';

/**
 * Quick Fixes for the repository model's problems that have one obvious change: list an
 * unapplied folder in the kustomization.yaml the message names, encrypt a plaintext Secret by the
 * repository's .sops.yaml, point a dangling reference at an object the repository defines.
 * The fix itself is worked out by the domain (Problem.fix); this only turns it into an edit.
 */
export class ProblemQuickFixes implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  private readonly registration: vscode.Disposable;

  constructor(private readonly store: Store<RepositoryState>) {
    this.registration = vscode.languages.registerCodeActionsProvider(
      { scheme: 'file', language: 'yaml' },
      this,
      { providedCodeActionKinds: ProblemQuickFixes.kinds },
    );
  }

  async provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    const model = this.store.value.model;
    if (!model) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Flux GitOps') continue;
      const problem = model.problems.find(
        (p) =>
          p.fix &&
          p.file === document.uri.fsPath &&
          p.line === diagnostic.range.start.line + 1 &&
          p.code === diagnostic.code &&
          p.message === diagnostic.message,
      );
      if (!problem?.fix) continue;
      actions.push(...(await this.actionsFor(document, problem, diagnostic, model.objects)));
    }
    return actions;
  }

  private async actionsFor(
    document: vscode.TextDocument,
    problem: Problem,
    diagnostic: vscode.Diagnostic,
    objects: NonNullable<RepositoryState['model']>['objects'],
  ): Promise<vscode.CodeAction[]> {
    const fix = problem.fix!;
    switch (fix.kind) {
      case 'add-resource': {
        const target = vscode.Uri.file(fix.kustomizationFile);
        const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === target.fsPath);
        const text = open?.getText() ?? (await fs.readFile(target.fsPath, 'utf8').catch(() => undefined));
        if (text === undefined) return [];
        let edited: string;
        try {
          const result = addResource(text, fix.entry);
          if (!result.changed) return [];
          edited = result.text;
        } catch {
          // A kustomization.yaml whose resources cannot take one more line: no fix to offer.
          return [];
        }
        const action = new vscode.CodeAction(
          `Add "${fix.entry}" to the resources of ${path.basename(path.dirname(target.fsPath))}/${path.basename(target.fsPath)}`,
          vscode.CodeActionKind.QuickFix,
        );
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(target, new vscode.Range(0, 0, lineCount(text), 0), edited);
        action.diagnostics = [diagnostic];
        action.isPreferred = true;
        return [action];
      }
      case 'encrypt': {
        const action = new vscode.CodeAction(
          'Encrypt this file with SOPS (by .sops.yaml)',
          vscode.CodeActionKind.QuickFix,
        );
        action.command = {
          command: CommandId.sopsEncrypt,
          title: 'SOPS: Encrypt',
          arguments: [vscode.Uri.file(fix.file)],
        };
        action.diagnostics = [diagnostic];
        action.isPreferred = true;
        return [action];
      }
      case 'reference': {
        const span = referenceNameSpan(document.getText(), problem.line, fix.name);
        if (!span) return [];
        return referenceCandidates(objects, fix).map((name, index) => {
          const action = new vscode.CodeAction(
            `Change to ${fix.refKind} ${fix.namespace}/${name}`,
            vscode.CodeActionKind.QuickFix,
          );
          action.edit = new vscode.WorkspaceEdit();
          action.edit.replace(
            document.uri,
            new vscode.Range(span.line, span.start, span.line, span.end),
            name,
          );
          action.diagnostics = [diagnostic];
          action.isPreferred = index === 0;
          return action;
        });
      }
    }
  }

  dispose(): void {
    this.registration.dispose();
  }
}

function lineCount(text: string): number {
  return text.split('\n').length;
}
