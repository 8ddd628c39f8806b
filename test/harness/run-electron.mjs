#!/usr/bin/env node
// The same integration suites in desktop VS Code through @vscode/test-electron, for machines
// that can download VS Code. Not run in this project's CI (no download there): see README.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './code-server.mjs';
import { prepareWorkspace, RUNS } from './runs.mjs';

let failed = 0;
for (const run of RUNS) {
  if (run.workspace && !fs.existsSync(run.workspace)) {
    console.log(`SKIPPED run ${run.name}: ${run.workspace} is absent`);
    continue;
  }
  // Tests may change files: give them a copy.
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-gitops-electron-'));
  const prepared = prepareWorkspace(run);
  if (prepared.workspace) fs.cpSync(prepared.workspace, workspace, { recursive: true });
  prepared.remove();
  if (run.gitOrigin) {
    // A checkout of main with its origin, as in the code-server runner (startCodeServer).
    execFileSync('chmod', ['-R', 'u+w', workspace]);
    execFileSync('git', ['-C', workspace, 'init', '-q', '-b', 'main']);
    execFileSync('git', ['-C', workspace, 'remote', 'add', 'origin', run.gitOrigin]);
  }
  try {
    await runTests({
      version: process.env.VSCODE_VERSION || '1.100.3',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: {
        FLUX_GITOPS_TEST_SUITE: path.join(repoRoot, 'out', 'test', 'integration', run.suite),
      },
    });
  } catch (error) {
    console.error(`run ${run.name} failed: ${error}`);
    failed += 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
process.exit(failed > 0 ? 1 : 0);
