import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { NewAppResult } from '../../../src/commands/newApp';
import { CommandId } from '../../../src/platform/commandIds';
import { getExtension, waitFor, workspaceRoot } from '../helpers';
import { child, labels, scannedTree } from '../treeHelpers';

// Scaffolds into this run's copy of the user's repository (never the fixture itself).
const appsDir = () => path.join(workspaceRoot(), 'flux', 'clusters', 'superbloom', 'apps');

function ourProblems(): string[] {
  return vscode.languages
    .getDiagnostics()
    .flatMap(([uri, diagnostics]) =>
      diagnostics.filter((d) => d.source === 'Flux GitOps').map((d) => `${uri.fsPath}: ${d.message}`),
    )
    .sort();
}

/** `flux-gitops check` from the bundled CLI, on the workspace copy. */
function check(): { code: number; output: string } {
  const cli = path.join(getExtension().extensionPath, 'dist', 'cli.js');
  try {
    return {
      code: 0,
      output: execFileSync(process.execPath, [cli, 'check', workspaceRoot()], { encoding: 'utf8' }),
    };
  } catch (error) {
    const failure = error as { status: number; stdout: string };
    return { code: failure.status, output: failure.stdout };
  }
}

describe('Flux: New App in the user repository', () => {
  it('writes a HelmRelease app from the bjw-s app-template like the other apps, and lists it in apps/kustomization.yaml', async () => {
    await scannedTree();
    const parentFile = path.join(appsDir(), 'kustomization.yaml');
    const parentBefore = fs.readFileSync(parentFile, 'utf8');
    const problemsBefore = ourProblems();
    const result = await vscode.commands.executeCommand<NewAppResult>(CommandId.newApp, {
      target: 'apps',
      name: 'whoami',
      workload: {
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'bjw-s', namespace: 'flux-system' } },
        chart: 'app-template',
        version: '4.1.1',
      },
    });
    assert.ok(result.ok, JSON.stringify(result));
    const files = fs.readdirSync(path.join(appsDir(), 'whoami')).sort();
    assert.deepStrictEqual(files, ['kustomization.yaml', 'ns.yaml', 'release.yaml']);
    const release = fs.readFileSync(path.join(appsDir(), 'whoami', 'release.yaml'), 'utf8');
    assert.match(release, /apiVersion: helm\.toolkit\.fluxcd\.io\/v2/);
    assert.match(release, /chart: app-template/);
    assert.match(release, /name: bjw-s/);
    // The parent kustomization.yaml gains exactly one line.
    const added = fs
      .readFileSync(parentFile, 'utf8')
      .split('\n')
      .filter((line) => !parentBefore.split('\n').includes(line));
    assert.deepStrictEqual(added, ['  - whoami/']);
    assert.strictEqual(
      vscode.window.activeTextEditor?.document.uri.fsPath,
      path.join(appsDir(), 'whoami', 'release.yaml'),
    );

    await waitFor('whoami in the tree under apps', async () => {
      const roots = await scannedTree();
      return labels(child(roots[0], 'apps').children).includes('whoami') ? true : undefined;
    });
    assert.deepStrictEqual(ourProblems(), problemsBefore);
    const checked = check();
    assert.strictEqual(checked.code, 0, checked.output);

    // Undo puts everything back as it was.
    await result.applied.undo();
    await getExtension().exports.rescan();
    assert.ok(!fs.existsSync(path.join(appsDir(), 'whoami')));
    assert.strictEqual(fs.readFileSync(parentFile, 'utf8'), parentBefore);
  });

  it('writes a plain app with a Secret encrypted for the repository age key, never in plaintext', async () => {
    const result = await vscode.commands.executeCommand<NewAppResult>(CommandId.newApp, {
      target: 'apps',
      name: 'echo',
      workload: { kind: 'plain', image: 'ghcr.io/example/echo:1.0.0', port: 8080 },
      secret: { data: { API_TOKEN: 'scaffold-secret-value' } },
      open: false,
    });
    assert.ok(result.ok, JSON.stringify(result));
    const secret = fs.readFileSync(path.join(appsDir(), 'echo', 'secrets.yaml'), 'utf8');
    assert.ok(!secret.includes('scaffold-secret-value'), 'plaintext secret on disk');
    assert.match(secret, /API_TOKEN: ENC\[AES256_GCM,/);
    assert.match(secret, /recipient: age1776wth2d8psy2swdcuw5t5ptj4hdegnjzh2eppz4gahas6waks7q37cf57/);
    const kustomization = fs.readFileSync(path.join(appsDir(), 'echo', 'kustomization.yaml'), 'utf8');
    assert.match(kustomization, /secrets\.yaml/);
    const checked = check();
    assert.strictEqual(checked.code, 0, checked.output);
    await result.applied.undo();
    await getExtension().exports.rescan();
    assert.ok(!fs.existsSync(path.join(appsDir(), 'echo')));
  });

  it('refuses bad input with a clear message and writes nothing', async () => {
    const before = fs.readdirSync(appsDir()).sort();
    const parentBefore = fs.readFileSync(path.join(appsDir(), 'kustomization.yaml'), 'utf8');
    for (const [name, expected] of [
      ['Bad_Name', /lower case/i],
      ['nexus', /exists|already/i],
      ['../escape', /name/i],
    ] as const) {
      const result = await vscode.commands.executeCommand<NewAppResult>(CommandId.newApp, {
        target: 'apps',
        name,
        workload: { kind: 'plain', image: 'nginx:1.27' },
        open: false,
      });
      assert.ok(!result.ok && 'issues' in result, JSON.stringify(result));
      assert.match(result.issues.map((i) => i.message).join(' '), expected);
    }
    assert.deepStrictEqual(fs.readdirSync(appsDir()).sort(), before);
    assert.strictEqual(fs.readFileSync(path.join(appsDir(), 'kustomization.yaml'), 'utf8'), parentBefore);
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
