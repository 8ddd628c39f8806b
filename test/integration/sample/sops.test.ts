import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { CommandId } from '../../../src/platform/commandIds';
import { getExtension, waitFor, workspaceRoot } from '../helpers';

const PLAINTEXT = 'Hello from a SOPS-encrypted secret';

function secretPath(): string {
  return path.join(workspaceRoot(), 'flux', 'clusters', 'homelab', 'apps', 'podinfo', 'secrets.yaml');
}

/** The real sops binary that test/env/install.sh builds, to check compatibility both ways. */
function realSopsDecrypt(file: string): string {
  const cache = process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops');
  const sops = path.join(cache, 'bin', 'sops');
  assert.ok(fs.existsSync(sops), `the real sops is missing at ${sops}: run bash test/env/install.sh`);
  return execFileSync(sops, ['--decrypt', file], {
    cwd: workspaceRoot(),
    env: { ...process.env, SOPS_AGE_KEY_FILE: path.join(workspaceRoot(), 'demo-age-key.txt') },
    encoding: 'utf8',
  });
}

function encValue(text: string, key: string): string {
  const match = new RegExp(`${key}: (ENC\\[[^\\]]+\\])`).exec(text);
  assert.ok(match, `no encrypted ${key} in:\n${text}`);
  return match[1];
}

/** Every file under the folder whose content holds `needle` (to prove no plaintext reached the disk). */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesContaining(full, needle));
    else if (entry.isFile() && fs.readFileSync(full, 'utf8').includes(needle)) found.push(full);
  }
  return found;
}

describe('SOPS in the sample repository', () => {
  before(async () => {
    const extension = getExtension();
    await waitFor('activation', () => (extension.isActive ? true : undefined), 90_000);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('edits a secret decrypted in memory: saving re-encrypts and keeps unchanged ciphertexts', async () => {
    const file = secretPath();
    const uri = vscode.Uri.file(file);
    const api = getExtension().exports;
    const before = fs.readFileSync(file, 'utf8');
    assert.strictEqual(await vscode.commands.executeCommand<boolean>(CommandId.sopsEditDecrypted, uri), true);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(
      tab?.input instanceof vscode.TabInputCustom && tab.input.viewType === 'fluxGitops.sopsDecrypted',
      `the active tab is not the decrypted editor: ${JSON.stringify(tab?.input)}`,
    );
    const opened = await waitFor('the decrypted text in memory', () => api.decryptedText(uri));
    assert.ok(opened.includes(PLAINTEXT), opened);
    assert.deepStrictEqual(
      filesContaining(workspaceRoot(), PLAINTEXT),
      [],
      'plaintext reached the workspace',
    );
    assert.deepStrictEqual(filesContaining(os.tmpdir(), PLAINTEXT), [], 'plaintext reached the temp folder');

    // The edit goes through the webview's editor, as typing does, and comes back to the extension.
    const edited = opened
      .split('\n')
      .map((line) => line.replace(/^(\s*)API_TOKEN:.*$/, '$1API_TOKEN: rotated-token'))
      .join('\n');
    assert.notStrictEqual(edited, opened, 'no API_TOKEN line to edit');
    await api.replaceDecryptedText(uri, edited);
    await waitFor('the editor to be unsaved', () => (tab.isDirty ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor('the save to re-encrypt API_TOKEN', () =>
      fs.readFileSync(file, 'utf8').includes(encValue(before, 'API_TOKEN')) ? undefined : true,
    );
    await waitFor('the editor to be saved', () =>
      vscode.window.tabGroups.activeTabGroup.activeTab?.isDirty === false ? true : undefined,
    );

    const after = fs.readFileSync(file, 'utf8');
    assert.strictEqual(
      encValue(after, 'PODINFO_UI_MESSAGE'),
      encValue(before, 'PODINFO_UI_MESSAGE'),
      'unchanged value was re-encrypted',
    );
    assert.notStrictEqual(encValue(after, 'API_TOKEN'), encValue(before, 'API_TOKEN'));
    assert.notStrictEqual(encValue(after, 'mac'), encValue(before, 'mac'));
    assert.ok(!after.includes('rotated-token'), 'plaintext written to disk');
    const decrypted = realSopsDecrypt(file);
    assert.match(decrypted, /API_TOKEN: rotated-token/);
    assert.ok(decrypted.includes(PLAINTEXT));

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the plaintext to be dropped', () => (api.decryptedInMemory === 0 ? true : undefined));
  });

  it('decrypts in place, flags the file until it is encrypted again, and the real sops reads the result', async () => {
    const file = secretPath();
    const uri = vscode.Uri.file(file);
    assert.strictEqual(
      await vscode.commands.executeCommand(CommandId.sopsDecrypt, uri, { confirmed: true }),
      true,
    );
    const plain = fs.readFileSync(file, 'utf8');
    assert.ok(plain.includes(PLAINTEXT) && !plain.includes('sops:'), plain);
    const flagged = () =>
      vscode.languages
        .getDiagnostics(uri)
        .filter((d) => d.code === 'sops-decrypted-in-place' || /plaintext/i.test(d.message));
    await waitFor('a problem on the decrypted file', () => (flagged().length > 0 ? true : undefined));

    assert.strictEqual(await vscode.commands.executeCommand(CommandId.sopsEncrypt, uri), true);
    const encrypted = fs.readFileSync(file, 'utf8');
    assert.ok(!encrypted.includes(PLAINTEXT) && encrypted.includes('sops:'));
    assert.ok(realSopsDecrypt(file).includes(PLAINTEXT));
    await waitFor('the problem to clear', () => (flagged().length === 0 ? true : undefined));
  });

  it('refuses to encrypt an encrypted file or a file no creation rule matches, and changes nothing', async () => {
    const secret = secretPath();
    const before = fs.readFileSync(secret, 'utf8');
    assert.strictEqual(
      await vscode.commands.executeCommand(CommandId.sopsEncrypt, vscode.Uri.file(secret)),
      false,
    );
    assert.strictEqual(fs.readFileSync(secret, 'utf8'), before);

    const release = path.join(path.dirname(secret), 'release.yaml');
    const releaseBefore = fs.readFileSync(release, 'utf8');
    assert.strictEqual(
      await vscode.commands.executeCommand(CommandId.sopsEncrypt, vscode.Uri.file(release)),
      false,
    );
    assert.strictEqual(fs.readFileSync(release, 'utf8'), releaseBefore);
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});

describe('SOPS presentation', () => {
  it('hovering an ENC[...] value says it is encrypted and its type', async () => {
    const file = vscode.Uri.file(secretPath());
    const document = await vscode.workspace.openTextDocument(file);
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('PODINFO_UI_MESSAGE: ENC['));
    assert.ok(line >= 0);
    const character = document.lineAt(line).text.indexOf('ENC[') + 5;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      file,
      new vscode.Position(line, character),
    );
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    assert.match(text, /SOPS/);
    assert.match(text, /type `str`/);
  });
});

describe('the sops CLI engine in a trusted workspace', () => {
  it('encrypts with the real sops binary when the setting asks for it', async () => {
    const configuration = vscode.workspace.getConfiguration('fluxGitops');
    const sops = path.join(
      process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops'),
      'bin',
      'sops',
    );
    await configuration.update('sops.path', sops, vscode.ConfigurationTarget.Global);
    await configuration.update('sops.engine', 'cli', vscode.ConfigurationTarget.Global);
    const file = path.join(workspaceRoot(), 'flux', 'clusters', 'homelab', 'apps', 'redis', 'secrets.yaml');
    try {
      fs.writeFileSync(
        file,
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: redis-auth\n  namespace: redis\nstringData:\n  password: cli-engine\n',
      );
      assert.strictEqual(
        await vscode.commands.executeCommand<boolean>(CommandId.sopsEncrypt, vscode.Uri.file(file)),
        true,
      );
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, /password: ENC\[AES256_GCM,/);
      assert.match(realSopsDecrypt(file), /password: cli-engine/);
    } finally {
      await configuration.update('sops.engine', undefined, vscode.ConfigurationTarget.Global);
      await configuration.update('sops.path', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(file, { force: true });
      // The tree suites that follow expect the sample unchanged: wait until the model forgets
      // the file instead of racing the file watcher on a busy machine.
      const api = getExtension().exports;
      await api.rescan();
      await waitFor(
        'the tree to forget apps/redis/secrets.yaml',
        () => (JSON.stringify(api.repositoryTree()).includes(file) ? undefined : true),
        90_000,
      );
    }
  });
});
