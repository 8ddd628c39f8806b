#!/usr/bin/env node
// Runs the integration suites inside a real VS Code extension host (code-server), one
// code-server per workspace, and prints "N passed, N failed" over all of them.
// Usage: node test/harness/run-ext-tests.mjs [--only <run name>] [--keep] [--verbose]
// Needs: npm run build && npm run compile-tests && bash test/harness/setup-code-server.sh
// Exit code: 0 all passed, 1 a test failed, 2 a run could not start or timed out.
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { info, launchChromium, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';
import { prepareWorkspace, RUNS } from './runs.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const keep = args.includes('--keep');
const verbose = args.includes('--verbose');
// Workbench chatter that says nothing about the tests (shown with --verbose).
const WORKBENCH_NOISE =
  /^(Ignoring fetching additional builtin|Updating additional builtin|Creating a socket|Resolv(ing|ed) connection token|\[Service Worker\]|ChatSessionStore)/;
const timeoutSeconds = Number(process.env.FLUX_GITOPS_TEST_TIMEOUT || 900);

async function runOne(run) {
  const suiteDir = path.join(repoRoot, 'out', 'test', 'integration', run.suite);
  const testsModule = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
  if (!fs.existsSync(testsModule)) throw new Error(`${testsModule} is missing: run npm run compile-tests`);
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js')))
    throw new Error('dist/extension.js is missing: run npm run build');
  if (!fs.existsSync(suiteDir)) {
    info(`run ${run.name}: no compiled suite at ${suiteDir}, nothing to run`);
    return { passed: 0, failed: 0, skipped: 0 };
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const prepared = prepareWorkspace(run);
  let server;
  try {
    server = await startCodeServer({
      workspace: prepared.workspace,
      gitOrigin: run.gitOrigin,
      multiRoot: run.multiRoot,
      trusted: run.trusted !== false,
      keep,
      env: { FLUX_GITOPS_TEST_SUITE: suiteDir, FLUX_GITOPS_TEST_RUN: run.name },
    });
  } finally {
    // code-server works on its own copy.
    prepared.remove();
  }
  let browser;
  let exitCode = 2;
  try {
    const { context, page } = await launchChromium(server.dirs.chrome);
    browser = context;
    let resolveExit;
    const exited = new Promise((resolve) => (resolveExit = resolve));
    // The extension host's console (mocha's reporter) arrives here when tests run.
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      const line = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
      for (const text of line.split('\n')) {
        let match;
        if ((match = /^\s*(\d+) passing\b/.exec(text))) counts.passed = Number(match[1]);
        else if ((match = /^\s*(\d+) failing\b/.exec(text))) counts.failed = Number(match[1]);
        else if ((match = /^\s*(\d+) pending\b/.exec(text))) counts.skipped = Number(match[1]);
      }
      if (!verbose && WORKBENCH_NOISE.test(line)) return;
      (type === 'error' || type === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    const url = workbenchUrl({
      authority: server.authority,
      workspace: server.workspace,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsModule,
    });
    info(
      `run ${run.name}: opening ${run.generated || run.fleet ? 'a generated repository' : (run.workspace ?? '(empty folder)')}`,
    );
    await page.goto(url);
    let timer;
    // A run that waits on real controllers declares its own, longer limit.
    const limitSeconds = Math.max(timeoutSeconds, run.timeoutSeconds ?? 0);
    const timedOut = new Promise(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), limitSeconds * 1000)),
    );
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      info(`run ${run.name}: TIMEOUT after ${limitSeconds}s`);
      counts.failed += 1;
      exitCode = 2;
    } else {
      exitCode = result;
    }
    if (exitCode !== 0 && counts.failed === 0) counts.failed = 1; // run() rejected before mocha counted
  } finally {
    try {
      await browser?.close();
    } catch {
      // already gone
    }
    await server.stop({ printLog: verbose || exitCode !== 0 });
  }
  info(`run ${run.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return counts;
}

async function main() {
  const total = { passed: 0, failed: 0, skipped: 0 };
  let setupError = false;
  for (const run of RUNS.filter((r) => !only || r.name === only)) {
    if (run.shared && !fs.existsSync(run.workspace)) {
      console.log(`SKIPPED run ${run.name}: ${run.workspace} is absent (it comes with ../shared).`);
      continue;
    }
    try {
      const counts = await runOne(run);
      for (const key of Object.keys(total)) total[key] += counts[key];
    } catch (error) {
      info(`run ${run.name} could not start: ${error?.stack ?? error}`);
      setupError = true;
      total.failed += 1;
    }
  }
  console.log(`integration: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(setupError ? 2 : total.failed > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
