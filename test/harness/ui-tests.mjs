#!/usr/bin/env node
// UI tests: drive the real VS Code workbench (code-server) with Playwright like a user, with the
// extension under development. Three sessions: the sample repository (tree, palette, SOPS, New
// App), the user's repository (../shared/fixtures, skipped when absent), and the sample against a
// real kube-apiserver (live status, CodeLens, reconcile). Screenshots of every step go to
// test-results/screenshots/ (git-ignored): look at them.
// A fourth, real-repo, opens a real public repository (../shared/corpus/onedr0p+home-ops).
// Usage: node test/harness/ui-tests.mjs [--keep] [--only sample|user-repo|real-repo|live|plaintext]
// Prints "ui: N passed, N failed"; exit 1 on any failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { info, launchChromium, repoRoot, startCodeServer, stepRunner, workbenchUrl } from './code-server.mjs';
import { startSampleCluster } from './sample-cluster.mjs';
import { plaintextSession } from './ui-plaintext.mjs';

const shotsDir = path.join(repoRoot, 'test-results', 'screenshots');
fs.mkdirSync(shotsDir, { recursive: true });
const keep = process.argv.includes('--keep');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const results = [];

/** One code-server + Chromium on a copy of `workspace`; `body` gets the page and helpers. */
async function session(name, { workspace, gitOrigin, settings }, body) {
  if (only && only !== name) return;
  let server;
  let browser;
  try {
    server = await startCodeServer({ workspace, gitOrigin, settings, keep });
    const { context, page } = await launchChromium(server.dirs.chrome);
    browser = context;
    page.setDefaultTimeout(60_000);
    const shot = (file) =>
      page.screenshot({ path: path.join(shotsDir, `${file}.png`), animations: 'disabled' });
    const step = stepRunner(name, results, shot);
    const fluxTab = () => page.locator('.part.activitybar').getByRole('tab', { name: /Flux GitOps/ });
    const tree = () => page.getByRole('tree', { name: /Repository/ });
    const treeItem = (label) => tree().getByRole('treeitem').filter({ hasText: label }).first();
    const quickInput = () => page.locator('.quick-input-widget .quick-input-box input').first();
    const runCommand = async (title) => {
      await page.keyboard.press('F1');
      await quickInput().waitFor({ state: 'visible' });
      await quickInput().fill(`>${title}`);
      await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first().waitFor();
      await page.keyboard.press('Enter');
    };
    const loadStarted = Date.now();
    await page.goto(
      workbenchUrl({
        authority: server.authority,
        workspace: server.workspace,
        extensionDevelopmentPath: repoRoot,
      }),
      // The workbench's page load; on a loaded 2-core machine it has taken over 20 s.
      { timeout: 90_000 },
    );
    await step('the workbench loads with the Flux GitOps activity-bar entry', async () => {
      await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible' });
      await fluxTab().waitFor({ state: 'visible' });
      info(`workbench ready after ${Date.now() - loadStarted} ms`);
    });
    await body({ page, server, shot, step, fluxTab, treeItem, quickInput, runCommand });
  } catch (error) {
    info(`error in session ${name}:`, error?.stack ?? error);
    results.push({ name: `${name} setup`, ok: false });
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop({ printLog: results.some((r) => !r.ok) });
  }
}

/** Files under `dir` whose bytes contain `needle`. */
function filesContaining(dir, needle, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    try {
      if (entry.isDirectory()) filesContaining(full, needle, found);
      else if (entry.isFile() && fs.statSync(full).size < 64e6 && fs.readFileSync(full).includes(needle))
        found.push(full);
    } catch {
      // a socket or a file that vanished
    }
  }
  return found;
}

const waitForFile = async (page, file, predicate, what) => {
  const deadline = Date.now() + 60_000;
  let text = '';
  while (Date.now() < deadline) {
    text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (predicate(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`${what}; the file holds:\n${text}`);
};

// Auto save off, as desktop VS Code ships: an edit stays unsaved (dirty) until Ctrl+S.
await session(
  'sample',
  { workspace: path.join(repoRoot, 'samples', 'homelab'), settings: { 'files.autoSave': 'off' } },
  async (ui) => {
    const { page, server, shot, step, fluxTab, treeItem, quickInput, runCommand } = ui;
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
      await page
        .locator('.editor-group-container .tab')
        .filter({ hasText: 'release.yaml' })
        .first()
        .waitFor();
      await page.locator('.monaco-editor .view-lines').filter({ hasText: 'HelmRelease' }).first().waitFor();
      await shot('03-manifest-opened');
    });

    await step('the command palette runs "Flux: Show Log" and the log shows the scan', async () => {
      await runCommand('Flux: Show Log');
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
        // The row's inline action (the pencil).
        await treeItem('secrets.yaml').hover();
        await treeItem('secrets.yaml').getByRole('button', { name: 'SOPS: Edit Decrypted' }).click();
        // The decrypted editor is a webview (CodeMirror) that VS Code never backs up.
        const editor = page
          .frameLocator('iframe.webview.ready')
          .frameLocator('#active-frame')
          .locator('.cm-content');
        await editor.filter({ hasText: 'Hello from a SOPS-encrypted secret' }).waitFor({ timeout: 60_000 });
        await shot('06-edit-decrypted');
        await editor.click();
        // The end of the last entry (the text ends with a newline), then a new entry of the same indent.
        await page.keyboard.press('Control+End');
        await page.keyboard.press('ArrowLeft');
        await page.keyboard.press('Enter');
        await page.keyboard.type('ADDED_IN_UI: typed-by-playwright');
        // Unsaved plaintext must not reach the disk either (e.g. as a hot-exit backup): wait past
        // VS Code's backup delay, then search every file of this run (workspace, user data, browser profile).
        await editor.filter({ hasText: 'typed-by-playwright' }).waitFor();
        await page.waitForTimeout(5000);
        const leaks = filesContaining(server.tmp, 'typed-by-playwright');
        if (leaks.length > 0) throw new Error(`unsaved plaintext on disk: ${leaks.join(', ')}`);
        await page.keyboard.press('Control+S');
        const secretFile = path.join(server.workspace, 'flux/clusters/homelab/apps/podinfo/secrets.yaml');
        const onDisk = await waitForFile(
          page,
          secretFile,
          (text) => text.includes('ADDED_IN_UI: ENC['),
          'the saved secret has no encrypted ADDED_IN_UI',
        );
        if (onDisk.includes('typed-by-playwright') || onDisk.includes('Hello from a SOPS'))
          throw new Error('plaintext reached the file on disk');
        await shot('07-saved-encrypted');
        // Close it as a user would (its tab's close button): keys typed next must reach the workbench, not the webview.
        const tab = page.locator('.editor-group-container .tab').filter({ hasText: 'secrets' }).first();
        await tab.hover();
        await tab.locator('.codicon-close').click();
        await tab.waitFor({ state: 'detached' });
      },
    );

    await step(
      '"Flux: New App" from the palette asks its questions and writes the app into the tree',
      async () => {
        await page.keyboard.press('Escape');
        await runCommand('Flux: New App');
        // A quick pick shows its question as the input's placeholder, an input box as a message:
        // poll both until the expected question is up, then answer it.
        const answer = async (expected, text) => {
          const deadline = Date.now() + 60_000;
          for (;;) {
            const widget = page.locator('.quick-input-widget').first();
            const seen = [
              await widget.innerText().catch(() => ''),
              await quickInput()
                .getAttribute('placeholder')
                .catch(() => ''),
              await quickInput()
                .getAttribute('aria-label')
                .catch(() => ''),
            ].join(' | ');
            if ((await widget.isVisible().catch(() => false)) && seen.includes(expected)) break;
            if (Date.now() > deadline) throw new Error(`the prompt "${expected}" did not show; saw: ${seen}`);
            await page.waitForTimeout(100);
          }
          if (text !== undefined) await quickInput().fill(text);
          await page.waitForTimeout(150);
          await page.keyboard.press('Enter');
        };
        await answer('Add the app to which Flux Kustomization?');
        await answer('App name', 'whoami');
        await answer('Namespace');
        await answer('What does the app deploy?', 'image');
        await answer('Container image', 'ghcr.io/traefik/whoami:v1.10');
        await answer('Container port');
        await page.waitForTimeout(300);
        await shot('08-new-app-prompt');
        await answer('Add a Secret', 'No Secret');
        await page
          .locator('.editor-group-container .tab')
          .filter({ hasText: 'deployment.yaml' })
          .first()
          .waitFor();
        await treeItem('whoami').waitFor({ state: 'visible' });
        const parent = fs.readFileSync(
          path.join(server.workspace, 'flux/clusters/homelab/apps/kustomization.yaml'),
          'utf8',
        );
        if (!/- whoami\/?\n/.test(parent))
          throw new Error(`apps/kustomization.yaml does not list whoami:\n${parent}`);
        await shot('09-new-app-written');
      },
    );

    await step('"Flux: New App" goes back two steps with Back, changes the name and finishes', async () => {
      const widget = () => page.locator('.quick-input-widget').first();
      // Waits until the question is up (an input box's prompt or a quick pick's placeholder).
      const question = async (expected) => {
        const deadline = Date.now() + 60_000;
        let seen = '';
        while (Date.now() < deadline) {
          seen = [
            await widget()
              .innerText()
              .catch(() => ''),
            await quickInput()
              .getAttribute('placeholder')
              .catch(() => ''),
          ].join(' | ');
          if (
            (await widget()
              .isVisible()
              .catch(() => false)) &&
            seen.includes(expected)
          )
            return;
          await page.waitForTimeout(100);
        }
        throw new Error(`the question "${expected}" did not show; saw: ${seen}`);
      };
      const answer = async (expected, text) => {
        await question(expected);
        if (text !== undefined) await quickInput().fill(text);
        await page.waitForTimeout(150);
        await page.keyboard.press('Enter');
      };
      const back = async (expected) => {
        await question(expected);
        await widget().locator('.codicon-quick-input-back').first().click();
      };
      await page.keyboard.press('Escape');
      await runCommand('Flux: New App');
      await answer('Add the app to which Flux Kustomization?');
      await answer('App name', 'echo');
      await answer('Namespace');
      await back('What does the app deploy?');
      await back('Namespace');
      await question('App name');
      const prefilled = await quickInput().inputValue();
      if (prefilled !== 'echo') throw new Error(`Back did not pre-fill the name: "${prefilled}"`);
      await page.mouse.move(700, 600); // the Back button's hover would cover the name
      await page.waitForTimeout(300);
      await shot('09b-new-app-back-two-steps');
      await answer('App name', 'echo-two');
      await question('Namespace');
      const namespace = await quickInput().inputValue();
      if (namespace !== 'echo-two')
        throw new Error(`the namespace did not follow the new name: "${namespace}"`);
      await answer('Namespace');
      await answer('What does the app deploy?', 'image');
      await answer('Container image', 'ghcr.io/traefik/whoami:v1.10');
      await answer('Container port');
      await answer('Add a Secret', 'No Secret');
      const apps = path.join(server.workspace, 'flux/clusters/homelab/apps');
      const deployment = await waitForFile(
        page,
        path.join(apps, 'echo-two', 'deployment.yaml'),
        (text) => /namespace: echo-two/.test(text),
        'echo-two/deployment.yaml was not written in namespace echo-two',
      );
      if (!deployment.includes('image: ghcr.io/traefik/whoami:v1.10')) throw new Error(deployment);
      if (fs.existsSync(path.join(apps, 'echo'))) throw new Error('the first name (echo) was written too');
      await treeItem('echo-two').waitFor({ state: 'visible' });
      await shot('09c-new-app-after-back');
    });

    const quickOpen = async (fileName) => {
      // F1 opens the palette with ">"; replacing the text makes it Quick Open.
      await page.keyboard.press('F1');
      await quickInput().waitFor({ state: 'visible' });
      await quickInput().fill(fileName);
      await page
        .locator('.quick-input-widget .monaco-list-row')
        .filter({ hasText: fileName })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.editor-group-container .tab').filter({ hasText: fileName }).first().waitFor();
    };

    await step(
      'an encrypted secret is shown quiet: ENC[...] values and the sops block in the grammar colours',
      async () => {
        await page.keyboard.press('Escape');
        await runCommand('View: Close All Editors');
        // The tree opens the file on disk (Quick Open would offer the in-memory decrypted editor first).
        await treeItem('secrets.yaml').click();
        await page
          .locator('.monaco-editor .view-lines')
          .filter({ hasText: 'ENC[AES256_GCM' })
          .first()
          .waitFor();
        await page.waitForTimeout(500);
        await shot('15-sops-grammar');
      },
    );

    await step(
      'a HelmRelease with a wrong field type and a missing field gets validation errors',
      async () => {
        const broken = path.join(server.workspace, 'flux/clusters/homelab/apps/podinfo/broken-release.yaml');
        fs.writeFileSync(
          broken,
          [
            'apiVersion: helm.toolkit.fluxcd.io/v2',
            'kind: HelmRelease',
            'metadata:',
            '  name: broken',
            '  namespace: podinfo',
            'spec:',
            '  interval: 5',
            '  chart:',
            '    spec:',
            '      chart: podinfo',
            '      sourceRef:',
            '        kind: HelmRepository',
            '',
          ].join('\n'),
        );
        await quickOpen('broken-release.yaml');
        await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 90_000 });
        await page.keyboard.press('Control+Shift+M');
        await page
          .locator('.part.panel .markers-panel')
          .filter({ hasText: /Incorrect type|Missing property/ })
          .first()
          .waitFor();
        await shot('16-validation-errors');
      },
    );
  },
);

const userRepo = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'superbloom-2025-12');
if (fs.existsSync(userRepo)) {
  await session('user-repo', { workspace: userRepo }, async ({ page, shot, step, fluxTab, treeItem }) => {
    await step("the user's repository shows as superbloom → flux-system, infra, apps", async () => {
      await fluxTab().click();
      for (const label of [
        'superbloom',
        'flux-system',
        'infra',
        'apps',
        'caddy',
        'authelia',
        'valkey',
        'nexus-worker',
      ]) {
        await treeItem(label).waitFor({ state: 'visible' });
      }
      await treeItem('nexus').first().click();
      await page.waitForTimeout(500);
      await shot('10-user-repo-tree');
    });
  });
} else {
  console.log(`SKIPPED UI session user-repo: ${userRepo} is absent (it comes with ../shared).`);
}

// A real public repository as its users see it: a Git checkout with its origin, a Flux Operator
// root, per-app ks.yaml with components, and https schemas in modelines that cannot be fetched here.
const realRepo = path.resolve(repoRoot, '..', 'shared', 'corpus', 'onedr0p+home-ops');
if (fs.existsSync(realRepo)) {
  await session(
    'real-repo',
    { workspace: realRepo, gitOrigin: 'https://github.com/onedr0p/home-ops.git' },
    async ({ page, shot, step, fluxTab, treeItem }) => {
      await step(
        'the Flux view shows the cluster named after its sync path, with its Kustomizations',
        async () => {
          await fluxTab().click();
          // 79 Kustomizations, each expanded: the first rendering takes long on a loaded machine.
          for (const label of ['cluster', 'flux-system', 'cluster-apps', 'actions-runner-controller'])
            await treeItem(label).waitFor({ state: 'visible', timeout: 90_000 });
          await shot('20-real-repo-tree');
        },
      );
      await step(
        "expanding the cluster and a ks.yaml app shows its components' folder and objects",
        async () => {
          // Kustomizations start expanded: fold everything, then open the way a user looks for one app.
          // The view's title actions show while the pointer is over its header.
          const header = page.locator('.pane-header').filter({ hasText: 'Repository' }).first();
          await header.hover();
          await header.getByRole('button', { name: /Collapse All/ }).click();
          await page
            .getByRole('treeitem', { name: /^cluster/, expanded: false })
            .first()
            .waitFor();
          await treeItem('cluster').locator('.monaco-tl-twistie').click();
          await treeItem('atuin').waitFor({ state: 'visible' });
          // A Kustomization row opens its file when clicked: its twistie expands it.
          const twistie = (label) => treeItem(label).locator('.monaco-tl-twistie');
          await twistie('atuin').click();
          await treeItem('backup').waitFor({ state: 'visible' });
          await twistie('backup').click();
          for (const label of [
            'SnapshotPolicy atuin',
            'SnapshotSchedule atuin',
            'PersistentVolumeClaim atuin',
            'Restore atuin',
            'HelmRelease atuin',
            'OCIRepository atuin',
          ])
            await treeItem(label).waitFor({ state: 'visible' });
          await shot('21-real-repo-app');
        },
      );
      await step(
        'a HelmRelease whose modeline schema cannot be fetched gets the Flux hover, and the Problems panel counts no error',
        async () => {
          await treeItem('HelmRelease atuin').click();
          await page
            .locator('.editor-group-container .tab')
            .filter({ hasText: 'helmrelease.yaml' })
            .first()
            .waitFor();
          // The Flux schema is in use once a hover there shows its title (the Flux HelmRelease schema's).
          const specToken = page
            .locator('.monaco-editor .view-lines .view-line')
            .filter({ hasText: /^spec:$/ })
            .first();
          const hover = page
            .locator('.monaco-hover')
            .filter({ hasText: 'HelmRelease helm.toolkit.fluxcd.io/v2' })
            .first();
          const deadline = Date.now() + 90_000;
          for (;;) {
            await specToken.hover({ position: { x: 5, y: 5 } });
            try {
              await hover.waitFor({ state: 'visible', timeout: 3000 });
              break;
            } catch (error) {
              if (Date.now() > deadline) throw new Error('no Flux hover on spec:', { cause: error });
              await page.mouse.move(0, 0);
            }
          }
          await shot('22-real-repo-hover');
          await page.mouse.move(0, 0);
          await page.keyboard.press('Control+Shift+M');
          const panel = page.locator('.part.panel .markers-panel');
          // The scan's warning on bootstrap/ is listed: the panel shows the workspace's problems.
          await panel.getByRole('treeitem').filter({ hasText: 'namespace.yaml' }).first().waitFor();
          const status = page.locator('.statusbar-item#status\\.problems').first();
          const label = (await status.getAttribute('aria-label')) ?? (await status.innerText());
          const rows = await panel
            .getByRole('treeitem')
            .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
          info(`Problems status: ${label}; panel rows:\n  ${rows.join('\n  ')}`);
          const errors = /Errors?: (\d+)/i.exec(label); // "Errors: 1, Warnings: 2", absent when 0
          if (!label || (errors && Number(errors[1]) !== 0) || rows.some((r) => /\berror\b/i.test(r)))
            throw new Error(`the Problems panel has errors: ${label}\n${rows.join('\n')}`);
          await shot('23-real-repo-problems');
        },
      );
    },
  );
} else {
  console.log(`SKIPPED UI session real-repo: ${realRepo} is absent (it comes with ../shared).`);
}

// The live session needs the test cluster (bash test/env/install.sh) and the compiled test env (out/).
let sample;
try {
  if (!only || only === 'live') sample = await startSampleCluster();
  await session(
    'live',
    {
      workspace: path.join(repoRoot, 'samples', 'homelab'),
      settings: {
        ...(sample?.settings ?? {}),
        // The flux CLI that test/env/install.sh builds, for Diff with Cluster.
        'fluxGitops.fluxPath': path.join(
          process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops'),
          'bin',
          'flux',
        ),
      },
    },
    async ({ page, server, shot, step, fluxTab, treeItem, quickInput, runCommand }) => {
      const tab = (name) => page.locator('.editor-group-container .tab').filter({ hasText: name }).first();
      const lens = (text) =>
        page.locator('.monaco-editor .codelens-decoration').filter({ hasText: text }).first();
      const lensLink = (text) =>
        page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: text }).last();
      await step(
        'the tree shows the live status of every Flux object, and the status bar the context',
        async () => {
          await fluxTab().click();
          await page.locator('.statusbar-item').filter({ hasText: 'homelab: admin' }).first().waitFor();
          await page.getByRole('treeitem').filter({ hasText: 'not in cluster' }).first().waitFor();
          // Open apps/redis/release.yaml from the tree, then its HelmRelease's "Show in tree" lens
          // reveals the object's row with the failure reason.
          await treeItem('redis').click();
          await treeItem('release.yaml').click();
          await tab('release.yaml').waitFor();
          await lens('UpgradeFailed').waitFor();
          await lensLink('Show in tree').click();
          await page.getByRole('treeitem').filter({ hasText: 'UpgradeFailed' }).first().waitFor();
          await shot('11-live-tree');
        },
      );
      await step(
        'CodeLens above the HelmRelease shows its status; clicking Reconcile reconciles it',
        async () => {
          await treeItem('podinfo').click();
          await treeItem('secrets.yaml').waitFor({ state: 'visible' });
          await page.getByRole('treeitem').filter({ hasText: 'release.yaml' }).first().click();
          await tab('release.yaml').waitFor();
          await lens('Ready · podinfo').waitFor();
          await shot('12-codelens');
          // The HelmRelease's own Reconcile lens (the second document; the first is its OCIRepository).
          await lensLink(/^Reconcile$/).click();
          await page
            .locator('.notifications-toasts')
            .filter({ hasText: /HelmRelease podinfo\/podinfo: applied/ })
            .first()
            .waitFor({ timeout: 90_000 });
          // The lens follows the status the watch delivers.
          await lens('Ready · podinfo').waitFor();
          await shot('13-reconciled');
        },
      );
      await step('the Cluster Status view lists objects like flux get all', async () => {
        // Collapsed by default, below the repository tree: open it like a user.
        const header = page.locator('.pane-header').filter({ hasText: 'Cluster Status' }).first();
        if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
        // Give it the sidebar: fold the repository tree.
        await page.locator('.pane-header').filter({ hasText: 'Repository' }).first().click();
        await page
          .getByRole('tree', { name: /Cluster Status/ })
          .getByRole('treeitem')
          .filter({ hasText: 'helmrelease/redis' })
          .first()
          .waitFor();
        await shot('14-cluster-status');
      });
      await step(
        'Diff with Cluster lists what applying the working tree would change and opens live ↔ working tree',
        async () => {
          await page.locator('.statusbar-item').filter({ hasText: 'homelab: admin' }).first().waitFor();
          // An edit not pushed: the podinfo HelmRelease's replica count.
          const release = path.join(
            server.workspace,
            'flux',
            'clusters',
            'homelab',
            'apps',
            'podinfo',
            'release.yaml',
          );
          fs.writeFileSync(
            release,
            fs.readFileSync(release, 'utf8').replace('replicaCount: 2', 'replicaCount: 3'),
          );
          await page.keyboard.press('Control+P');
          await quickInput().waitFor({ state: 'visible' });
          await quickInput().fill('podinfo/release.yaml');
          await page
            .locator('.quick-input-widget .monaco-list-row')
            .filter({ hasText: 'release.yaml' })
            .first()
            .waitFor();
          await page.keyboard.press('Enter');
          await tab('release.yaml').waitFor();
          // From the palette on that file: the Kustomization that applies it (apps) is diffed.
          await runCommand('Flux: Diff with Cluster');
          const row = page
            .locator('.quick-input-widget .monaco-list-row')
            .filter({ hasText: 'HelmRelease podinfo' })
            .first();
          await row.waitFor({ timeout: 120_000 });
          await shot('15-diff-list');
          await row.click();
          const diff = page.locator('.monaco-diff-editor').first();
          await diff.waitFor({ state: 'visible' });
          await diff.locator('.view-line').filter({ hasText: 'replicaCount: 3' }).first().waitFor();
          await diff.locator('.view-line').filter({ hasText: 'replicaCount: 2' }).first().waitFor();
          await page.keyboard.press('Escape');
          await shot('16-diff-editor');
        },
      );
    },
  );
} catch (error) {
  info('error in the live session:', error?.stack ?? error);
  results.push({ name: 'live setup', ok: false });
} finally {
  await sample?.stop();
}

// Edit Decrypted on a loaded machine, a restart and a crash: no plaintext on disk (issue 12).
await plaintextSession({ only, keep, results, shotsDir, filesContaining });

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`ui: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
