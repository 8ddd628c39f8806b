// The integration runs: each opens one workspace and runs the compiled mocha suites of
// out/test/integration/<suite>. Shared by the code-server and the @vscode/test-electron runners.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sharedFixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures');
const sharedCorpus = path.resolve(repoRoot, '..', 'shared', 'corpus');
const ownRepos = path.join(repoRoot, 'test', 'fixtures', 'repos');

export const RUNS = [
  { name: 'sample', workspace: path.join(repoRoot, 'samples', 'homelab'), suite: 'sample' },
  { name: 'empty', workspace: null, suite: 'empty' },
  // Live status: the sample against a real kube-apiserver that the suite starts (test/env).
  { name: 'cluster', workspace: path.join(repoRoot, 'samples', 'homelab'), suite: 'cluster' },
  // Real Flux: the suite starts the cluster with the Flux controllers and the local Git server,
  // and pushes this workspace (a small fleet, test/env/fleet.ts) as the repository Flux syncs.
  { name: 'flux', workspace: null, fleet: true, suite: 'flux', timeoutSeconds: 1200 },
  // Restricted mode: no binaries, no contact with (and no writes to) a cluster running real Flux.
  {
    name: 'untrusted',
    workspace: path.join(repoRoot, 'samples', 'homelab'),
    suite: 'untrusted',
    trusted: false,
    // It starts real Flux in its cluster: the longer limit of runs with real controllers.
    timeoutSeconds: 600,
  },
  // Every layout of test/fixtures/repos at once, as the roots of one multi-root workspace.
  { name: 'layouts', workspace: ownRepos, suite: 'layouts', multiRoot: true },
  {
    name: 'superbloom-2025-12',
    workspace: path.join(sharedFixtures, 'superbloom-2025-12'),
    suite: 'superbloom-2025-12',
    shared: true,
  },
  {
    name: 'superbloom-2026-06',
    workspace: path.join(sharedFixtures, 'superbloom-2026-06'),
    suite: 'superbloom-2026-06',
    shared: true,
  },
  // A real public repository as its users open it: a Git checkout with its origin (see
  // ../shared/corpus/README.md), Flux Operator root, per-app ks.yaml with components, modelines.
  {
    name: 'onedr0p-home-ops',
    workspace: path.join(sharedCorpus, 'onedr0p+home-ops'),
    gitOrigin: 'https://github.com/onedr0p/home-ops.git',
    suite: 'onedr0p-home-ops',
    shared: true,
  },
  // A generated repository of about 10,000 files (test/env/syntheticRepo.ts): the extension host
  // stays responsive while the scan worker scans it.
  { name: 'large', workspace: null, generated: { apps: 2000 }, suite: 'large' },
];

/**
 * The folder a run opens: its workspace, or for a generated run a new temporary folder that
 * remove() deletes again. Generating needs the compiled tests (npm run compile-tests).
 */
export function prepareWorkspace(run) {
  if (run.fleet) {
    const module = path.join(repoRoot, 'out', 'test', 'env', 'fleet.js');
    if (!fs.existsSync(module)) throw new Error(`${module} is missing: run npm run compile-tests`);
    const { writeFleet } = createRequire(import.meta.url)(module);
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `flux-gitops-${run.name}-`));
    writeFleet(workspace);
    return { workspace, remove: () => fs.rmSync(workspace, { recursive: true, force: true }) };
  }
  if (!run.generated) return { workspace: run.workspace, remove: () => {} };
  const generator = path.join(repoRoot, 'out', 'test', 'env', 'syntheticRepo.js');
  if (!fs.existsSync(generator)) throw new Error(`${generator} is missing: run npm run compile-tests`);
  const { generateSyntheticRepo } = createRequire(import.meta.url)(generator);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `flux-gitops-${run.name}-`));
  generateSyntheticRepo(workspace, run.generated);
  return { workspace, remove: () => fs.rmSync(workspace, { recursive: true, force: true }) };
}
