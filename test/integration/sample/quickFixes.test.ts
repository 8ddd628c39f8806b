import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { getExtension, waitFor, workspaceRoot } from '../helpers';

// Quick Fixes of the repository's own problems, driven as the editor's light bulb drives them:
// the diagnostics VS Code holds, the code actions it computes for them, the edit applied and saved.
const FOLDER = 'quickfix-tests';

function apps(): string {
  return path.join(workspaceRoot(), 'flux', 'clusters', 'homelab', 'apps');
}

/** The Flux GitOps diagnostic of `file` with `code` whose message mentions `mention`. */
function diagnostic(file: string, code: string, mention: string): Promise<vscode.Diagnostic> {
  return waitFor(
    `a ${code} diagnostic on ${path.basename(file)} mentioning ${mention}`,
    () => {
      const all = vscode.languages.getDiagnostics(vscode.Uri.file(file));
      const found = all.find((d) => d.code === code && d.message.includes(mention));
      if (found) return found;
      throw new Error(`saw ${JSON.stringify(all.map((d) => `${String(d.code)}: ${d.message}`))}`);
    },
    60_000,
  );
}

function gone(file: string, code: string, mention: string): Promise<true> {
  return waitFor(
    `the ${code} diagnostic on ${path.basename(file)} to go`,
    () => {
      const left = vscode.languages
        .getDiagnostics(vscode.Uri.file(file))
        .filter((d) => d.code === code && d.message.includes(mention));
      if (left.length === 0) return true;
      throw new Error(`still there: ${left.map((d) => d.message).join(' | ')}`);
    },
    60_000,
  );
}

async function quickFixes(file: string, at: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  // Code actions are computed on an open text model, as the light bulb of an editor does.
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    vscode.Uri.file(file),
    at.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  return actions ?? [];
}

async function applyAndSave(action: vscode.CodeAction, file: string): Promise<void> {
  assert.ok(action.edit, `"${action.title}" has no edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), `"${action.title}" was not applied`);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  assert.ok(await document.save(), `${file} was not saved`);
}

describe('quick fixes for the repository problems', function () {
  this.timeout(180_000);
  let kustomizationBefore = '';

  before(() => {
    kustomizationBefore = fs.readFileSync(path.join(apps(), 'kustomization.yaml'), 'utf8');
    const folder = path.join(apps(), FOLDER);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(
      path.join(folder, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - release.yaml\n  - secrets.yaml\n',
    );
    fs.writeFileSync(
      path.join(folder, 'release.yaml'),
      [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: quickfix',
        '  namespace: flux-system',
        'spec:',
        '  interval: 1h',
        '  chart:',
        '    spec:',
        '      chart: cert-manager',
        '      sourceRef:',
        '        kind: HelmRepository',
        '        name: jetstak',
        '        namespace: flux-system',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(folder, 'secrets.yaml'),
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: quickfix\n  namespace: flux-system\nstringData:\n  TOKEN: not-a-secret\n',
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.writeFileSync(path.join(apps(), 'kustomization.yaml'), kustomizationBefore);
    fs.rmSync(path.join(apps(), FOLDER), { recursive: true, force: true });
    await getExtension().exports.rescan();
    await gone(path.join(apps(), 'kustomization.yaml'), 'not-applied', FOLDER);
  });

  it('lists an unapplied folder in the kustomization.yaml the diagnostic names, one line added', async () => {
    const kustomization = path.join(apps(), 'kustomization.yaml');
    const notApplied = await diagnostic(kustomization, 'not-applied', FOLDER);
    const actions = await quickFixes(kustomization, notApplied);
    const add = actions.find(
      (a) => a.title === `Add "${FOLDER}" to the resources of apps/kustomization.yaml`,
    );
    assert.ok(add, `offered: ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.strictEqual(add.isPreferred, true);
    await applyAndSave(add, kustomization);
    assert.strictEqual(fs.readFileSync(kustomization, 'utf8'), `${kustomizationBefore}  - ${FOLDER}\n`);
    await gone(kustomization, 'not-applied', FOLDER);
  });

  it('points a sourceRef with a typo at the HelmRepository the repository defines', async () => {
    const release = path.join(apps(), FOLDER, 'release.yaml');
    const dangling = await diagnostic(release, 'unresolved-reference', 'jetstak');
    const actions = await quickFixes(release, dangling);
    const change = actions.find((a) => a.title === 'Change to HelmRepository flux-system/jetstack');
    assert.ok(change, `offered: ${JSON.stringify(actions.map((a) => a.title))}`);
    await applyAndSave(change, release);
    assert.match(fs.readFileSync(release, 'utf8'), /^ {8}name: jetstack$/m);
    await gone(release, 'unresolved-reference', 'jetstak');
  });

  it('offers to encrypt a plaintext Secret that .sops.yaml says must be encrypted', async () => {
    const secret = path.join(apps(), FOLDER, 'secrets.yaml');
    const plaintext = await diagnostic(secret, 'plaintext-secret', 'quickfix');
    const actions = await quickFixes(secret, plaintext);
    const encrypt = actions.find((a) => a.command?.command === 'fluxGitops.sops.encrypt');
    assert.ok(encrypt, `offered: ${JSON.stringify(actions.map((a) => a.title))}`);
    const target = encrypt.command?.arguments?.[0] as vscode.Uri | undefined;
    assert.strictEqual(target?.fsPath, secret);
  });
});
