#!/usr/bin/env node
// Opens the real VS Code (code-server) with the extension under development on a Flux
// repository and keeps it running until Ctrl-C. Used by `npm start`.
// Usage: node test/harness/open-workbench.mjs [--workspace DIR] [--port N] [--live] [--screenshot FILE]
// --live: also start a real kube-apiserver with the sample's Flux objects and statuses (test/env),
// bound to the sample, so live status, CodeLens and reconcile can be tried.
import path from 'node:path';
import { launchChromium, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';
import { startSampleCluster } from './sample-cluster.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
// A folder given with --workspace is opened itself (what the user changes there stays); the
// sample is opened as a throw-away copy, so trying things leaves the repository unchanged.
const ownFolder = option('--workspace', undefined);
const workspace = path.resolve(ownFolder ?? path.join(repoRoot, 'samples', 'homelab'));
const port = Number(option('--port', process.env.PORT || 8080));
const screenshot = option('--screenshot', undefined);

const live = args.includes('--live') ? await startSampleCluster() : undefined;
if (live) console.log(`test cluster with the sample's Flux objects: KUBECONFIG=${live.cluster.kubeconfig}`);
const server = await startCodeServer({
  workspace,
  inPlace: Boolean(ownFolder),
  port,
  settings: live?.settings ?? {},
});
const url = workbenchUrl({
  authority: server.authority,
  workspace: server.workspace,
  extensionDevelopmentPath: repoRoot,
});
console.log(
  `\nFlux GitOps is running in VS Code on ${ownFolder ? '' : 'a copy of '}${workspace}:\n\n  ${url}\n\nOpen that URL in a browser (forward port ${port} when remote). Ctrl-C stops it.\n`,
);
if (screenshot) {
  // A headless look, for machines without a browser: the Flux view after the workbench loads.
  const { context, page } = await launchChromium(path.join(server.tmp, 'chrome'));
  await page.goto(url);
  await page
    .locator('.part.activitybar')
    .getByRole('tab', { name: /Flux GitOps/ })
    .click();
  await page.waitForTimeout(3000);
  await page.screenshot({ path: path.resolve(screenshot) });
  await context.close();
  console.log(`screenshot: ${path.resolve(screenshot)}`);
}
const stop = async () => {
  await server.stop();
  await live?.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
