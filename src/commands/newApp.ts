import * as path from 'path';
import * as vscode from 'vscode';
import { checkoutOf, type RepoModel } from '../core/repo/model';
import {
  appNameError,
  applyPlan,
  chartError,
  dnsLabelError,
  imageError,
  listSources,
  listTargets,
  planScaffold,
  portError,
  secretKeyError,
  suggestChart,
  versionError,
  type AppliedScaffold,
  type HelmWorkload,
  type PlainWorkload,
  type ScaffoldIssue,
  type ScaffoldPlan,
  type SecretInput,
  type SourceRef,
} from '../core/scaffold';
import type { RepoNode } from '../core/tree/repoTree';
import { describeError, type Log } from '../platform/log';
import type { RepositoryService } from '../platform/repositoryService';
import { sopsServiceFor } from '../platform/sops';

/** The non-interactive form (tests, keybindings): every answer given; `target` is a Kustomization name or key. */
export interface NewAppArgs {
  cluster?: string;
  target: string;
  name: string;
  namespace?: string;
  workload: HelmWorkload | PlainWorkload;
  secret?: SecretInput;
  allowPlaintextSecret?: boolean;
  /** Open the main manifest afterwards (default true). */
  open?: boolean;
}

export type NewAppResult =
  | { ok: true; plan: ScaffoldPlan; applied: AppliedScaffold }
  | { ok: false; issues: ScaffoldIssue[] }
  | { ok: false; cancelled: true };

const CANCELLED: NewAppResult = { ok: false, cancelled: true };

interface Answers {
  cluster: string;
  target: string;
  name: string;
  namespace: string;
  workload: HelmWorkload | PlainWorkload;
  secret?: SecretInput;
}

async function ask(
  prompt: string,
  value: string,
  validate: (text: string) => string | null,
  options: { password?: boolean; placeHolder?: string } = {},
): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Flux: New App',
    prompt,
    value,
    password: options.password,
    placeHolder: options.placeHolder,
    ignoreFocusOut: true,
    validateInput: (text) => validate(text.trim()) ?? undefined,
  });
}

async function pick<T extends vscode.QuickPickItem>(placeHolder: string, items: T[]): Promise<T | undefined> {
  if (items.length === 1) return items[0];
  return vscode.window.showQuickPick(items, { title: 'Flux: New App', placeHolder, ignoreFocusOut: true });
}

/** The prompts, pre-filled from the repository; a tree node (Kustomization or app category) pre-selects the target. */
async function askAnswers(model: RepoModel, node: RepoNode | undefined): Promise<Answers | undefined> {
  const clusters = listTargets(model).filter((c) => c.targets.length > 0);
  if (clusters.length === 0) {
    void vscode.window.showWarningMessage(
      'Flux GitOps: no Flux Kustomization here holds app folders to add an app to.',
    );
    return undefined;
  }
  const fromNode = node?.kustomization?.key;
  const preset = clusters.find((c) => c.targets.some((t) => t.key === fromNode));
  const cluster =
    preset ??
    (
      await pick(
        'Which cluster?',
        clusters.map((c) => ({ label: c.cluster, description: c.folder, value: c })),
      )
    )?.value;
  if (!cluster) return undefined;
  const presetTarget = cluster.targets.find((t) => t.key === fromNode);
  const target =
    presetTarget ??
    (
      await pick(
        'Add the app to which Flux Kustomization?',
        [...cluster.targets]
          .sort((a, b) => Number(b.name === 'apps') - Number(a.name === 'apps'))
          .map((t) => ({
            label: t.name,
            description: `${t.apps.length} apps · ${path.relative(cluster.folder, t.folder) || '.'}`,
            value: t,
          })),
      )
    )?.value;
  if (!target) return undefined;

  const name = await ask('App name (a DNS-1123 label: lower-case letters, digits and -)', '', (text) =>
    appNameError(model, cluster.cluster, target.key, text),
  );
  if (!name) return undefined;
  const namespace = await ask('Namespace', name.trim(), (text) => dnsLabelError(text, 'The namespace'));
  if (!namespace) return undefined;

  const kind = await pick('What does the app deploy?', [
    { label: '$(package) A Helm chart', description: 'HelmRelease', value: 'helm' as const },
    { label: '$(server-process) An image', description: 'Deployment + Service', value: 'plain' as const },
  ]);
  if (!kind) return undefined;

  let workload: HelmWorkload | PlainWorkload;
  if (kind.value === 'helm') {
    const sources = listSources(model, cluster.cluster);
    const NEW = 'new';
    const sourcePick = await vscode.window.showQuickPick(
      [
        ...sources.map((s) => ({
          label: s.name,
          description: `${s.kind} · ${s.url ?? ''}`,
          detail: s.usedBy > 0 ? `used by ${s.usedBy} release${s.usedBy === 1 ? '' : 's'}` : undefined,
          value: s as SourceRef | typeof NEW,
        })),
        {
          label: '$(add) Add a chart repository…',
          description: 'https:// or oci://',
          value: NEW as SourceRef | typeof NEW,
        },
      ],
      { title: 'Flux: New App', placeHolder: 'Chart source', ignoreFocusOut: true },
    );
    if (!sourcePick) return undefined;
    let source: HelmWorkload['source'];
    if (sourcePick.value === NEW) {
      const url = await ask('Chart repository URL', '', (text) =>
        /^(https?|oci):\/\/\S+$/.test(text) ? null : 'Give an https:// or oci:// URL.',
      );
      if (!url) return undefined;
      const suggested = (/^[a-z]+:\/\/([^/.]+)/.exec(url.trim())?.[1] ?? 'charts').toLowerCase();
      const sourceName = await ask('Name of the new source', suggested, (text) =>
        dnsLabelError(text, 'The source name'),
      );
      if (!sourceName) return undefined;
      source = {
        new: {
          type: url.trim().startsWith('oci://') ? 'oci' : 'helm',
          name: sourceName.trim(),
          url: url.trim(),
        },
      };
    } else {
      const { kind: sourceKind, name: sourceName, namespace: sourceNamespace } = sourcePick.value;
      source = { existing: { kind: sourceKind, name: sourceName, namespace: sourceNamespace } };
    }
    const suggestion = 'existing' in source ? suggestChart(model, source.existing, cluster.cluster) : null;
    const chart = await ask('Chart name', suggestion?.chart ?? name.trim(), chartError);
    if (!chart) return undefined;
    const version = await ask('Chart version', suggestion?.version ?? '', versionError, {
      placeHolder: 'e.g. 4.1.1 or 1.x',
    });
    if (!version) return undefined;
    workload = { kind: 'helm', source, chart: chart.trim(), version: version.trim() };
  } else {
    const image = await ask('Container image', '', imageError, { placeHolder: 'ghcr.io/org/app:1.2.3' });
    if (!image) return undefined;
    const port = await ask('Container port (empty: no Service)', '80', (text) =>
      text === '' ? null : portError(Number(text)),
    );
    if (port === undefined) return undefined;
    workload = { kind: 'plain', image: image.trim(), ...(port.trim() ? { port: Number(port.trim()) } : {}) };
  }

  const wantsSecret = await pick('Add a Secret (encrypted with SOPS)?', [
    { label: 'No Secret', value: false },
    {
      label: '$(lock) Add a Secret with keys I type',
      description: 'values masked, encrypted before they are written',
      value: true,
    },
  ]);
  if (!wantsSecret) return undefined;
  let secret: SecretInput | undefined;
  if (wantsSecret.value) {
    const data: Record<string, string> = {};
    for (;;) {
      const key = await ask(
        Object.keys(data).length === 0 ? 'Secret key (e.g. API_TOKEN)' : 'Another key (empty: done)',
        '',
        (text) => (text === '' && Object.keys(data).length > 0 ? null : secretKeyError(text)),
      );
      if (key === undefined) return undefined;
      if (key.trim() === '') break;
      const value = await ask(`Value of ${key.trim()}`, '', () => null, { password: true });
      if (value === undefined) return undefined;
      data[key.trim()] = value;
    }
    secret = { data };
  }
  return {
    cluster: cluster.cluster,
    target: target.key,
    name: name.trim(),
    namespace: namespace.trim(),
    workload,
    secret,
  };
}

function targetKey(
  model: RepoModel,
  cluster: string | undefined,
  target: string,
): { cluster: string; key: string } | undefined {
  for (const c of listTargets(model)) {
    if (cluster && c.cluster !== cluster) continue;
    const found = c.targets.find((t) => t.key === target || t.name === target);
    if (found) return { cluster: c.cluster, key: found.key };
  }
  return undefined;
}

/** "Flux: New App": folder, manifests and the parent kustomization.yaml entry as one undoable operation. */
export function createNewAppCommand(deps: {
  log: Log;
  repository: RepositoryService;
}): (arg?: RepoNode | NewAppArgs) => Promise<NewAppResult> {
  return async (arg) => {
    const model = deps.repository.store.value.model ?? (await deps.repository.rescan());
    if (!model) return CANCELLED;
    const given = arg && 'workload' in arg ? (arg as NewAppArgs) : undefined;
    let answers: Answers | undefined;
    if (given) {
      const resolved = targetKey(model, given.cluster, given.target);
      if (!resolved)
        return {
          ok: false,
          issues: [
            { field: 'target', message: `No Flux Kustomization "${given.target}" holds app folders.` },
          ],
        };
      answers = {
        ...resolved,
        target: resolved.key,
        name: given.name,
        namespace: given.namespace ?? given.name,
        workload: given.workload,
        secret: given.secret,
      };
    } else {
      answers = await askAnswers(model, arg as RepoNode | undefined);
    }
    if (!answers) return CANCELLED;

    const targetFolder = model.kustomizations.get(answers.target)?.resolvedPath ?? '';
    const repoRoot =
      checkoutOf(model, targetFolder)?.folder ??
      vscode.workspace.getWorkspaceFolder(vscode.Uri.file(targetFolder))?.uri.fsPath;
    const input = { model, ...answers, allowPlaintextSecret: given?.allowPlaintextSecret };
    let planned = await planScaffold(input, { repoRoot });
    // No .sops.yaml rule for the secret: plaintext only with the user's explicit consent.
    if (!planned.ok && !given && planned.issues.every((i) => i.field === 'secret') && answers.secret) {
      const consent = await vscode.window.showWarningMessage(
        `${planned.issues.map((i) => i.message).join(' ')} Write the Secret in plaintext anyway?`,
        { modal: true, detail: 'It would be committed unencrypted unless you encrypt it before you commit.' },
        'Write Plaintext Secret',
      );
      if (consent !== 'Write Plaintext Secret') return CANCELLED;
      planned = await planScaffold({ ...input, allowPlaintextSecret: true }, { repoRoot });
    }
    if (!planned.ok) {
      const message = planned.issues.map((issue) => issue.message).join(' ');
      deps.log.warn(`new app ${answers.name}: ${message}`);
      void vscode.window.showErrorMessage(`Flux GitOps: cannot create ${answers.name}: ${message}`);
      return { ok: false, issues: planned.issues };
    }
    const plan = planned.plan;
    let applied: AppliedScaffold;
    try {
      applied = await applyPlan(plan, {
        encrypt: (file, plaintext) =>
          sopsServiceFor(vscode.Uri.file(file)).encryptText(file, plaintext, { root: repoRoot }),
      });
    } catch (error) {
      deps.log.error(`new app ${answers.name}: ${describeError(error)} (nothing was left written)`);
      void vscode.window.showErrorMessage(
        `Flux GitOps: could not create ${answers.name}: ${describeError(error)}. Nothing was written.`,
      );
      return { ok: false, issues: [{ field: 'template', message: describeError(error) }] };
    }
    deps.log.info(
      `new app ${answers.name}: created ${applied.created.map((f) => f.path).join(', ')}; edited ${applied.edited.map((f) => f.path).join(', ')}`,
    );
    for (const note of plan.notes) deps.log.info(`new app ${answers.name}: ${note}`);
    // What was written is known: an update with those files, not a full scan.
    const updated = deps.repository.update([...applied.created, ...applied.edited].map((f) => f.path));
    if (given?.open !== false) {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(plan.mainFile), {
        preview: false,
      });
    }
    await updated;
    const relative = path.relative(path.dirname(targetFolder), plan.appFolder);
    void vscode.window
      .showInformationMessage(
        `Flux GitOps: created ${relative}/ (${applied.created.length} files) and listed it in ${path.basename(path.dirname(applied.edited[0]?.path ?? ''))}/kustomization.yaml.`,
        'Undo',
      )
      .then(async (choice) => {
        if (choice !== 'Undo') return;
        try {
          await applied.undo();
          await deps.repository.update(
            applied.edited.map((f) => f.path),
            [...applied.created.map((f) => f.path), ...applied.folders],
          );
          void vscode.window.showInformationMessage(`Flux GitOps: removed ${relative}/ again.`);
        } catch (error) {
          void vscode.window.showErrorMessage(`Flux GitOps: undo failed: ${describeError(error)}`);
        }
      });
    return { ok: true, plan, applied };
  };
}
