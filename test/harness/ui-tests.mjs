#!/usr/bin/env node
// UI tests: drive the real VS Code workbench (code-server) with Playwright like a user, on
// the sample repository with the extension under development. Screenshots of every step
// go to test-results/screenshots/ (git-ignored): look at them.
// Usage: node test/harness/ui-tests.mjs [--keep]
// Prints "ui: N passed, N failed"; exit 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { info, launchChromium, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';

const shotsDir = path.join(repoRoot, 'test-results', 'screenshots');
fs.mkdirSync(shotsDir, { recursive: true });
const keep = process.argv.includes('--keep');
const results = [];
let server;
let browser;

try {
  server = await startCodeServer({ workspace: path.join(repoRoot, 'samples', 'homelab'), keep });
  const { context, page } = await launchChromium(server.dirs.chrome);
  browser = context;
  page.setDefaultTimeout(20_000);
  const shot = (name) =>
    page.screenshot({ path: path.join(shotsDir, `${name}.png`), animations: 'disabled' });
  const step = async (name, body) => {
    const started = Date.now();
    try {
      await body();
      results.push({ name, ok: true });
      info(`PASS ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      results.push({ name, ok: false });
      info(`FAIL ${name}: ${String(error?.message ?? error).split('\n')[0]}`);
      await shot(`FAIL-${name.replace(/\W+/g, '_')}`).catch(() => {});
    }
  };
  const fluxTab = () => page.locator('.part.activitybar').getByRole('tab', { name: /Flux GitOps/ });
  const tree = () => page.getByRole('tree', { name: /Repository/ });
  const treeItem = (label) => tree().getByRole('treeitem').filter({ hasText: label }).first();
  const runCommand = async (title) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input').first();
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  };

  const loadStarted = Date.now();
  await page.goto(
    workbenchUrl({
      authority: server.authority,
      workspace: server.workspace,
      extensionDevelopmentPath: repoRoot,
    }),
  );

  await step('the workbench loads with the Flux GitOps activity-bar entry', async () => {
    await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible' });
    await fluxTab().waitFor({ state: 'visible' });
    info(`workbench ready after ${Date.now() - loadStarted} ms`);
  });

  await step('the Flux view opens and shows the cluster with its Kustomizations', async () => {
    await fluxTab().click();
    for (const label of ['homelab', 'flux-system', 'infra', 'apps'])
      await treeItem(label).waitFor({ state: 'visible' });
    await shot('01-flux-view');
  });

  await step('expanding an app shows its manifests, and clicking one opens it at its line', async () => {
    await treeItem('podinfo').click();
    await treeItem('release.yaml').waitFor({ state: 'visible' });
    await shot('02-app-expanded');
    await treeItem('release.yaml').click();
    await page.locator('.editor-group-container .tab').filter({ hasText: 'release.yaml' }).first().waitFor();
    await page.locator('.monaco-editor .view-lines').filter({ hasText: 'HelmRelease' }).first().waitFor();
    await shot('03-manifest-opened');
  });

  await step('the command palette runs "Flux: Show Log" and the log shows the scan', async () => {
    await runCommand('Flux: Show Log');
    await page
      .locator('.part.panel')
      .filter({ hasText: 'Flux GitOps' })
      .first()
      .waitFor({ state: 'visible' });
    await page
      .locator('.part.panel .view-lines')
      .filter({ hasText: 'scanned' })
      .first()
      .waitFor({ state: 'visible' });
    await shot('04-log');
  });

  await step('"Flux: Refresh Repository" keeps the expanded app expanded', async () => {
    await runCommand('Flux: Refresh Repository');
    await page.waitForTimeout(1000);
    await treeItem('release.yaml').waitFor({ state: 'visible' });
    await shot('05-after-refresh');
  });

  await step(
    '"SOPS: Edit Decrypted" from the tree shows the secret in memory; saving re-encrypts it on disk',
    async () => {
      await treeItem('secrets.yaml').click({ button: 'right' });
      await page
        .locator('.monaco-menu .action-label')
        .filter({ hasText: 'SOPS: Edit Decrypted' })
        .first()
        .click();
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.locator('.view-lines').filter({ hasText: 'Hello from a SOPS-encrypted secret' }).waitFor();
      await shot('06-edit-decrypted');
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('    ADDED_IN_UI: typed-by-playwright');
      await page.keyboard.press('Control+S');
      const secretFile = path.join(server.workspace, 'flux/clusters/homelab/apps/podinfo/secrets.yaml');
      const deadline = Date.now() + 10_000;
      let onDisk = '';
      while (Date.now() < deadline) {
        onDisk = fs.readFileSync(secretFile, 'utf8');
        if (onDisk.includes('ADDED_IN_UI: ENC[')) break;
        await page.waitForTimeout(200);
      }
      if (!onDisk.includes('ADDED_IN_UI: ENC['))
        throw new Error(`the saved secret has no encrypted ADDED_IN_UI:\n${onDisk}`);
      if (onDisk.includes('typed-by-playwright') || onDisk.includes('Hello from a SOPS')) {
        throw new Error('plaintext reached the file on disk');
      }
      await shot('07-saved-encrypted');
    },
  );
} catch (error) {
  info('error:', error?.stack ?? error);
  results.push({ name: 'setup', ok: false });
} finally {
  await browser?.close().catch(() => {});
  await server?.stop({ printLog: results.some((r) => !r.ok) });
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`ui: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
