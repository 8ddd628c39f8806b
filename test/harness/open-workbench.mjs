#!/usr/bin/env node
// Opens the real VS Code (code-server) with the extension under development on a Flux
// repository and keeps it running until Ctrl-C. Used by `npm start`.
// Usage: node test/harness/open-workbench.mjs [--workspace DIR] [--port N] [--live] [--screenshot FILE]
// --live: the sample on real Flux (live-sample.mjs): a real kube-apiserver with the Flux
// controllers, the workspace a clone of a repository on a local Git server that Flux syncs, so
// live status, CodeLens, reconcile and a push from Source Control can be tried.
import path from 'node:path';
import { launchChromium, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';
import { startLiveSample } from './live-sample.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
// A folder given with --workspace is opened itself (what the user changes there stays); the
// sample is opened as a throw-away copy, so trying things leaves the repository unchanged.
const ownFolder = option('--workspace', undefined);
const workspace = path.resolve(ownFolder ?? path.join(repoRoot, 'samples', 'homelab'));
const port = Number(option('--port', process.env.PORT || 8080));
const screenshot = option('--screenshot', undefined);

const wantLive = args.includes('--live');
if (wantLive && ownFolder)
  throw new Error('--live runs the sample on real Flux; it cannot be combined with --workspace');
// The live sample's cluster starts first, so its settings are in VS Code's from the first read;
// then code-server (which makes the copy), then the copy becomes the Git repository Flux syncs.
let live;
let server;
let stopping = false;
const startup = (async () => {
  if (wantLive) live = await startLiveSample({ log: (m) => console.error(`[live] ${m}`) });
  if (stopping) return;
  server = await startCodeServer({
    workspace,
    inPlace: Boolean(ownFolder),
    port,
    settings: live?.settings ?? {},
  });
  if (!live || stopping) return;
  await live.bootstrap(server.dirs.workspace);
  console.log(
    `real Flux on the sample: KUBECONFIG=${live.cluster.kubeconfig}; the workspace's origin is ${live.cluster.fluxEnv.gitUrl}/homelab.git`,
  );
})();
// Ctrl-C while starting waits for what is being started, so it can be stopped and its folder removed.
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await startup.catch(() => {});
  await server?.stop();
  await live?.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
try {
  await startup;
} catch (error) {
  console.error(String(error?.stack ?? error));
  await stop(1);
}
if (stopping) await new Promise(() => {});
const url = workbenchUrl({
  authority: server.authority,
  workspace: server.workspace,
  extensionDevelopmentPath: repoRoot,
});
console.log(
  `\nFlux GitOps is running in VS Code on ${ownFolder ? workspace : `a copy of ${workspace} in ${server.dirs.workspace} (removed on Ctrl-C)`}:\n\n  ${url}\n\nOpen that URL in a browser (forward port ${port} when remote). Ctrl-C stops it.\n`,
);
if (screenshot) {
  // A headless look, for machines without a browser: the Flux view after the workbench loads.
  const { context, page } = await launchChromium(path.join(server.tmp, 'chrome'));
  try {
    await page.goto(url);
    const fluxTab = page.locator('.part.activitybar').getByRole('tab', { name: /Flux GitOps/ });
    // The entry appears once the extension has activated, which a loaded machine can take minutes for.
    await fluxTab.waitFor({ state: 'visible', timeout: 180_000 });
    await fluxTab.click();
    // Named conditions: the tree's first row; live, the cluster connected and a row with the
    // revision Flux applied.
    const tree = page.getByRole('tree', { name: /Repository/ });
    await tree.getByRole('treeitem').first().waitFor({ timeout: 120_000 });
    if (live) {
      await tree
        .getByRole('treeitem')
        .filter({ hasText: 'main@sha1:' })
        .first()
        .waitFor({ timeout: 180_000 });
      // Wider side bar, and a Kustomization's file open with the lens of the revision Flux applied.
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        const edge = sidebar.x + sidebar.width;
        await page.mouse.move(edge, sidebar.y + 300);
        await page.mouse.down();
        await page.mouse.move(edge + 260, sidebar.y + 300, { steps: 5 });
        await page.mouse.up();
      }
      await tree.getByRole('treeitem').filter({ hasText: 'apps.yaml' }).first().click();
      await page
        .locator('.monaco-editor .codelens-decoration')
        .filter({ hasText: 'main@sha1:' })
        .first()
        .waitFor({ timeout: 120_000 });
      await page.mouse.move(900, 700);
    }
    console.log(`screenshot: ${path.resolve(screenshot)}`);
  } catch (error) {
    console.error(
      `the screenshot's condition was not met: ${String(error?.message ?? error).split('\n')[0]}`,
    );
  } finally {
    await page.screenshot({ path: path.resolve(screenshot) }).catch(() => {});
    await context.close();
  }
}
