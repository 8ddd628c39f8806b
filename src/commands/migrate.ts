// Migrations of Flux apiVersions in the editor: a Quick Fix on each "removed"/"deprecated" problem,
// "Migrate All Files of This Cluster" as one WorkspaceEdit (one undo), and "Check Against a Flux
// Version" before an upgrade. The rewriting itself is src/core/fluxVersion/migrate.ts.
import * as vscode from 'vscode';
import { API_DEPRECATED, API_REMOVED } from '../core/fluxVersion/problems';
import { planMigrations, type ObjectMigration } from '../core/fluxVersion/migrate';
import { parseFluxVersion, type FluxVersion } from '../core/fluxVersion/releases';
import type { Cluster, RepoModel } from '../core/repo/model';
import type { Log } from '../platform/log';
import type { RepositoryService } from '../platform/repositoryService';

const PROBLEM_SOURCE = 'Flux GitOps';
const MIGRATION_CODES = new Set([API_REMOVED, API_DEPRECATED]);

/** The Flux of the clusters whose Kustomizations apply the object at `line` of `file` (the newest one). */
function fluxOfObject(model: RepoModel, file: string, line: number): FluxVersion | undefined {
  const object = model.objects.find((o) => o.file === file && o.line === line);
  if (!object) return undefined;
  const clusters = new Set(object.appliedBy.flatMap((key) => model.kustomizations.get(key)?.clusters ?? []));
  const versions = model.clusters
    .filter((c) => clusters.has(c.name) && c.flux?.version)
    .map((c) => parseFluxVersion(c.flux?.version ?? ''))
    .filter((v): v is FluxVersion => !!v)
    .sort((a, b) => b.major - a.major || b.minor - a.minor || b.patch - a.patch);
  return versions[0];
}

function toRange(document: vscode.TextDocument, offset: number, length: number): vscode.Range {
  return new vscode.Range(document.positionAt(offset), document.positionAt(offset + length));
}

function addEdits(
  edit: vscode.WorkspaceEdit,
  document: vscode.TextDocument,
  migration: ObjectMigration,
): void {
  for (const e of migration.edits)
    edit.replace(document.uri, toRange(document, e.offset, e.length), e.newText);
}

function describe(m: ObjectMigration): string {
  return `${m.kind} ${m.name} → ${m.to}${m.fieldChanges.length > 0 ? ` (${m.fieldChanges.join('; ')})` : ''}`;
}

/** Quick Fixes for the migration problems the repository model reports. */
export function createMigrationCodeActions(deps: {
  repository: RepositoryService;
}): vscode.CodeActionProvider {
  return {
    provideCodeActions(document, _range, context) {
      const model = deps.repository.store.value.model;
      if (!model) return [];
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of context.diagnostics) {
        if (diagnostic.source !== PROBLEM_SOURCE || !MIGRATION_CODES.has(String(diagnostic.code))) continue;
        const line = diagnostic.range.start.line + 1;
        const flux = fluxOfObject(model, document.uri.fsPath, line);
        if (!flux) continue;
        for (const migration of planMigrations(document.getText(), flux, line)) {
          const action = new vscode.CodeAction(
            `Migrate ${migration.kind} to ${migration.to} (as flux migrate)`,
            vscode.CodeActionKind.QuickFix,
          );
          action.edit = new vscode.WorkspaceEdit();
          addEdits(action.edit, document, migration);
          action.diagnostics = [diagnostic];
          action.isPreferred = true;
          actions.push(action);
        }
      }
      return actions;
    },
  };
}

/** The cluster a command was called for: a tree row, a name, or the only/picked one. */
async function pickCluster(model: RepoModel, arg: unknown): Promise<Cluster | undefined> {
  const name =
    typeof arg === 'string'
      ? arg
      : arg && typeof arg === 'object' && (arg as { kind?: unknown }).kind === 'cluster'
        ? String((arg as { label?: unknown }).label)
        : undefined;
  const named = model.clusters.find((c) => c.name === name);
  if (named) return named;
  if (model.clusters.length === 1) return model.clusters[0];
  const picked = await vscode.window.showQuickPick(
    model.clusters.map((c) => ({
      label: c.name,
      description: c.flux?.version ? `Flux ${c.flux.version}` : '',
    })),
    { placeHolder: 'Migrate the files of which cluster?' },
  );
  return model.clusters.find((c) => c.name === picked?.label);
}

/**
 * Migrates every Flux object of a cluster's files to the apiVersions its Flux serves, as one
 * WorkspaceEdit (one undo). Returns the number of objects migrated.
 */
export function createMigrateClusterCommand(deps: {
  repository: RepositoryService;
  log: Log;
}): (cluster?: unknown) => Promise<number> {
  return async (arg) => {
    const model = deps.repository.store.value.model ?? (await deps.repository.rescan());
    if (!model) return 0;
    const cluster = await pickCluster(model, arg);
    if (!cluster) return 0;
    const flux = cluster.flux?.version ? parseFluxVersion(cluster.flux.version) : undefined;
    if (!flux) {
      void vscode.window.showWarningMessage(
        `Flux GitOps: which Flux cluster ${cluster.name} runs is not known; set it in fluxGitops.fluxVersions.`,
      );
      return 0;
    }
    const keys = new Set(cluster.kustomizations);
    const files = [
      ...new Set(
        model.problems
          .filter((p) => MIGRATION_CODES.has(p.code))
          .map((p) => p.file)
          .filter((file) =>
            model.objects.some((o) => o.file === file && o.appliedBy.some((key) => keys.has(key))),
          ),
      ),
    ].sort();
    const edit = new vscode.WorkspaceEdit();
    let count = 0;
    for (const file of files) {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      for (const migration of planMigrations(document.getText(), flux)) {
        addEdits(edit, document, migration);
        deps.log.info(`migrate ${file}:${migration.line}: ${describe(migration)}`);
        count++;
      }
    }
    if (count === 0) {
      void vscode.window.showInformationMessage(
        `Flux GitOps: every Flux object of cluster ${cluster.name} already uses the apiVersions of Flux ${cluster.flux?.version}.`,
      );
      return 0;
    }
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(
        'Flux GitOps: the migration could not be applied (a file changed?).',
      );
      return 0;
    }
    void vscode.window.showInformationMessage(
      `Flux GitOps: migrated ${count} object(s) in ${files.length} file(s) of cluster ${cluster.name} to Flux ${cluster.flux?.version}'s apiVersions (Undo reverts it; save to keep it).`,
    );
    return count;
  };
}

/**
 * Checks every cluster against one Flux release line before an upgrade ("2.9"; empty: each
 * cluster's own version again) and says how many objects that release would reject.
 */
export function createCheckAgainstFluxCommand(deps: {
  repository: RepositoryService;
}): (version?: string) => Promise<RepoModel | null> {
  return async (versionArg) => {
    const own = '$(discard) Each cluster’s own Flux version';
    const version =
      typeof versionArg === 'string'
        ? versionArg
        : await vscode.window
            .showQuickPick([own, '2.9', '2.8', '2.7', '2.6'], {
              placeHolder: 'Check the repository against which Flux?',
            })
            .then((picked) => (picked === own ? '' : picked));
    if (version === undefined) return null;
    const model = await deps.repository.checkAgainstFlux(version || undefined);
    if (!model) return null;
    const removed = model.problems.filter((p) => p.code === API_REMOVED).length;
    const deprecated = model.problems.filter((p) => p.code === API_DEPRECATED).length;
    const against = version ? `Flux ${version}` : "each cluster's own Flux";
    const message = `Flux GitOps: against ${against}: ${removed} object(s) use a removed apiVersion, ${deprecated} a deprecated one.`;
    const choice = await (
      removed > 0 ? vscode.window.showErrorMessage : vscode.window.showInformationMessage
    )(message, ...(removed + deprecated > 0 ? ['Show Problems'] : []));
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
    return model;
  };
}
