// The UI session "plaintext" (issue 12): "SOPS: Edit Decrypted" on a machine loaded on purpose,
// then a restart, then a crash, and after each a search of every file of the run for every
// plaintext value. Run it alone with: node test/harness/ui-tests.mjs --only plaintext
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cacheDir,
  info,
  launchChromium,
  repoRoot,
  startCodeServer,
  stepRunner,
  workbenchUrl,
} from './code-server.mjs';

const sample = path.join(repoRoot, 'samples', 'homelab');
const secretInSample = 'flux/clusters/homelab/apps/podinfo/secrets.yaml';

/** The plaintext of every encrypted value of the sample secret, decrypted by the real sops. */
function plaintextValues() {
  const file = path.join(sample, secretInSample);
  const sops = path.join(cacheDir, 'bin', 'sops');
  if (!fs.existsSync(sops))
    throw new Error(`the real sops is missing at ${sops}: run bash test/env/install.sh`);
  const decrypted = execFileSync(sops, ['--decrypt', file], {
    env: { ...process.env, SOPS_AGE_KEY_FILE: path.join(sample, 'demo-age-key.txt') },
    encoding: 'utf8',
  });
  const data = fs.readFileSync(file, 'utf8').split(/^sops:/m)[0];
  const encryptedKeys = [...data.matchAll(/^\s*(\w+): ENC\[/gm)].map((m) => m[1]);
  const values = encryptedKeys.map((key) => new RegExp(`^\\s*${key}: (.+)$`, 'm').exec(decrypted)?.[1]);
  if (values.length === 0 || values.some((value) => !value))
    throw new Error(`could not read the plaintext of ${encryptedKeys.join(', ')} from:\n${decrypted}`);
  return values;
}

/** Two busy loops, one per core of the machine, until stop(). */
function loadTheMachine() {
  const hogs = [0, 1].map(() =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: false }),
  );
  return {
    pids: hogs.map((hog) => hog.pid),
    stop: () => hogs.forEach((hog) => hog.kill('SIGKILL')),
  };
}

/** The extension host of a code-server (a process of its group started with --type=extensionHost). */
function extensionHostPids(serverPid) {
  return execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, pgid, ...args]) => Number(pgid) === serverPid && args.join(' ').includes('extensionHost'))
    .map(([pid]) => Number(pid));
}

/** Entries of the temp folder that appeared since `before` (Playwright's and Chromium's own). */
function newTempEntries(before) {
  return fs
    .readdirSync(os.tmpdir())
    .filter((name) => !before.has(name))
    .map((name) => path.join(os.tmpdir(), name));
}

export async function plaintextSession({ only, keep, results, shotsDir, filesContaining }) {
  if (only && only !== 'plaintext') return;
  const name = 'plaintext';
  const tempBefore = new Set(fs.readdirSync(os.tmpdir()));
  const marker = `typed-${crypto.randomBytes(6).toString('hex')}`;
  const crashMarker = `crash-${crypto.randomBytes(6).toString('hex')}`;
  let server;
  let browser;
  let page;
  const load = loadTheMachine();
  info(`plaintext: two busy loops load the machine (pids ${load.pids.join(', ')})`);
  const shot = (file) =>
    page?.screenshot({ path: path.join(shotsDir, `${file}.png`), animations: 'disabled' }).catch(() => {});
  const step = stepRunner(name, results, shot);
  const open = async () => {
    ({ context: browser, page } = await launchChromium(server.dirs.chrome));
    page.setDefaultTimeout(60_000);
    await page.goto(
      workbenchUrl({
        authority: server.authority,
        workspace: server.workspace,
        extensionDevelopmentPath: repoRoot,
      }),
    );
    await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible' });
  };
  const restart = async (how) => {
    if (how === 'crash') {
      // The extension host first, then the whole server, both without a chance to clean up;
      // the browser only after them (closing the page first is an orderly shutdown).
      for (const pid of extensionHostPids(server.pid)) process.kill(pid, 'SIGKILL');
      process.kill(-server.pid, 'SIGKILL');
    }
    await browser?.close().catch(() => {});
    browser = undefined;
    await server.stop({ keepFolders: true });
    server = await startCodeServer({ workspace: sample, reuse: server.tmp, keep });
    await open();
  };
  const fluxTab = () => page.locator('.part.activitybar').getByRole('tab', { name: /Flux GitOps/ });
  const treeItem = (label) =>
    page
      .getByRole('tree', { name: /Repository/ })
      .getByRole('treeitem')
      .filter({ hasText: label })
      .first();
  const secretTab = () =>
    page.locator('.editor-group-container .tab').filter({ hasText: 'secrets.yaml' }).first();
  // The custom editor's webview: an iframe in the workbench, holding the extension's page in another.
  const editorFrame = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const cmContent = () => editorFrame().locator('.cm-content');
  const secretFile = () => path.join(server.workspace, secretInSample);
  const waitUntil = async (what, probe, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let seen;
    for (;;) {
      seen = await probe();
      if (seen === true) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw: ${seen}`);
      await page.waitForTimeout(200);
    }
  };
  const editDecrypted = async () => {
    await fluxTab().click();
    await treeItem('podinfo').waitFor({ state: 'visible' });
    if (!(await treeItem('secrets.yaml').isVisible())) await treeItem('podinfo').click();
    await treeItem('secrets.yaml').hover();
    await treeItem('secrets.yaml').getByRole('button', { name: 'SOPS: Edit Decrypted' }).click();
    await cmContent().filter({ hasText: 'Hello from a SOPS-encrypted secret' }).waitFor();
  };
  /** The cursor at the end of the secret's last entry (the text ends with a newline). */
  const endOfLastEntry = async () => {
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowLeft');
  };
  /** Every file of the run (workspace, user data and its backups, browser profile, temp folders) holding a value. */
  const leaks = (values) =>
    values.flatMap((value) => [
      ...filesContaining(server.tmp, value),
      ...newTempEntries(tempBefore)
        .filter((entry) => entry !== server.tmp)
        .flatMap((entry) => {
          // Other processes of the machine (other test runs) remove their temp folders at any
          // time: one that vanished since the listing holds nothing any more.
          try {
            return fs.statSync(entry).isDirectory() ? filesContaining(entry, value) : [];
          } catch (error) {
            if (error?.code === 'ENOENT') return [];
            throw error;
          }
        }),
    ]);
  try {
    const values = plaintextValues();
    server = await startCodeServer({ workspace: sample, settings: { 'files.autoSave': 'off' }, keep });
    await open();
    await step('under load: the decrypted editor colours, finds, validates and undoes', async () => {
      await editDecrypted();
      // The tab carries only the file name (VS Code names custom editor tabs so): the banner says what this is.
      await editorFrame()
        .locator('#banner')
        .filter({ hasText: 'Decrypted secrets.yaml, held in memory only' })
        .waitFor();
      await shot('20-decrypted-editor');
      // Syntax colouring: the keys are highlighted spans, not plain text.
      await cmContent().locator('span').filter({ hasText: 'PODINFO_UI_MESSAGE' }).first().waitFor();
      await cmContent().click();
      const untouched = await cmContent().innerText();
      await endOfLastEntry();
      await page.keyboard.press('Enter');
      await page.keyboard.type('broken: [unclosed');
      await editorFrame().locator('.cm-lint-marker-error').first().waitFor();
      await shot('21-yaml-error');
      // Saving text that does not parse asks: keep editing, or discard.
      await page.keyboard.press('Control+S');
      const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'cannot be encrypted' });
      await dialog.waitFor();
      await shot('22-keep-editing-or-discard');
      await dialog.getByRole('button', { name: 'Keep Editing' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await cmContent().click();
      // CodeMirror's undo history: Ctrl+Z until the broken line is gone (typing under load may
      // have made several undo steps of it).
      await waitUntil('undo to remove the broken line', async () => {
        if ((await cmContent().innerText()) === untouched) return true;
        await page.keyboard.press('Control+z');
        return 'the broken line is still there';
      });
      await editorFrame().locator('.cm-lint-marker-error').first().waitFor({ state: 'detached' });
      await page.keyboard.press('Control+f');
      await editorFrame().locator('.cm-search input[name=search]').waitFor();
      await page.keyboard.type('API_TOKEN');
      await page.keyboard.press('Enter');
      await editorFrame().locator('.cm-searchMatch').first().waitFor();
      await shot('23-find');
      await page.keyboard.press('Escape');
    });

    let lastLine = 0;
    await step('under load: 10 s of typing, then a save, leave no plaintext anywhere', async () => {
      await cmContent().click();
      await endOfLastEntry();
      const started = Date.now();
      while (Date.now() - started < 10_000) {
        lastLine += 1;
        // Enter indents like the line above, as it does for a user.
        await page.keyboard.press('Enter');
        await page.keyboard.type(`TYPED_${lastLine}: ${marker}-${lastLine}`, { delay: 20 });
      }
      info(`typed ${lastLine} lines in ${Date.now() - started} ms`);
      await waitUntil('the tab to show unsaved changes', async () =>
        (await secretTab().getAttribute('class'))?.includes('dirty') ? true : 'not dirty',
      );
      await page.keyboard.press('Control+S');
      await waitUntil(`the file to hold TYPED_${lastLine} encrypted`, async () =>
        fs.readFileSync(secretFile(), 'utf8').includes(`TYPED_${lastLine}: ENC[`) ? true : 'not yet',
      );
      await waitUntil('the tab to be saved', async () =>
        (await secretTab().getAttribute('class'))?.includes('dirty') ? 'dirty' : true,
      );
      await shot('24-saved-under-load');
      const found = leaks([marker, ...values]);
      if (found.length > 0) throw new Error(`plaintext on disk: ${found.join(', ')}`);
    });

    await step(
      'after closing and reopening VS Code, no file of the run holds a plaintext value',
      async () => {
        await page.keyboard.press('F1');
        // Typed before the palette has focus (a loaded machine), the keys would land in the
        // decrypted editor and make it dirty again: fill the palette's own input instead.
        const quickInput = page.locator('.quick-input-widget .quick-input-box input').first();
        await quickInput.waitFor({ state: 'visible' });
        await quickInput.fill('>View: Close All Editors');
        await page
          .locator('.quick-input-widget .monaco-list-row')
          .filter({ hasText: 'Close All Editors' })
          .first()
          .waitFor();
        await page.keyboard.press('Enter');
        await secretTab().waitFor({ state: 'hidden' });
        await restart('close');
        await fluxTab().waitFor({ state: 'visible' });
        await shot('25-reopened');
        const found = leaks([marker, ...values]);
        if (found.length > 0) throw new Error(`plaintext on disk: ${found.join(', ')}`);
        const encrypted = fs.readFileSync(secretFile(), 'utf8');
        if (!encrypted.includes(`TYPED_${lastLine}: ENC[`))
          throw new Error('the saved edit is not in the file');
      },
    );

    await step(
      'a crash with an unsaved edit: nothing plaintext restored or on disk, and the user is told',
      async () => {
        await editDecrypted();
        await cmContent().click();
        await page.keyboard.press('Control+End');
        const started = Date.now();
        let line = 0;
        while (Date.now() - started < 3_000) {
          line += 1;
          await page.keyboard.type(`\n  CRASH_${line}: ${crashMarker}-${line}`, { delay: 20 });
        }
        // Global storage: a workspace storage folder is named after the workspace URI, which holds
        // code-server's port, and the restart below picks another port.
        const storage = path.join(server.dirs.userData, 'User', 'globalStorage');
        await waitUntil('the extension to record that the file has an unsaved edit', async () => {
          const lists = filesContaining(storage, 'podinfo/secrets.yaml').filter((f) =>
            f.includes(`${path.sep}unsaved-decrypted-edits${path.sep}`),
          );
          return lists.length > 0 ? true : `no list in ${storage}/*/unsaved-decrypted-edits names it`;
        });
        await shot('26-dirty-before-crash');
        await restart('crash');
        const notice = page
          .locator('.notifications-toasts')
          .filter({ hasText: 'was lost when VS Code stopped' });
        await notice.first().waitFor();
        await shot('27-after-crash');
        const restoredDirty = await page.locator('.editor-group-container .tab.dirty').count();
        if (restoredDirty > 0)
          throw new Error(`${restoredDirty} editor(s) came back unsaved after the crash`);
        if ((await page.locator('iframe.webview').count()) > 0) {
          const text = await cmContent()
            .innerText()
            .catch(() => '');
          if (text.includes(crashMarker)) throw new Error('the unsaved edit came back after the crash');
        }
        const found = leaks([marker, crashMarker, ...values]);
        if (found.length > 0) throw new Error(`plaintext on disk: ${found.join(', ')}`);
        if (fs.readFileSync(secretFile(), 'utf8').includes('CRASH_1'))
          throw new Error('the unsaved edit reached the file');
      },
    );
  } catch (error) {
    info(`error in session ${name}:`, error?.stack ?? error);
    results.push({ name: `${name} setup`, ok: false });
  } finally {
    load.stop();
    await browser?.close().catch(() => {});
    await server?.stop({ printLog: results.some((r) => !r.ok), keepFolders: keep });
  }
}
