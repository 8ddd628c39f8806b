#!/usr/bin/env node
// Prints the activation time of the bundled extension measured in the real extension host
// (code-server): in an empty folder (require + activate, nothing else running) and on the
// sample repository (activate + the first scan). Several rounds; prints each and the median.
import path from 'node:path';
import { format } from 'node:util';
import { launchChromium, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';

const rounds = Number(process.env.BENCH_ROUNDS || 3);
const suite = path.join(repoRoot, 'out', 'test', 'integration', 'bench');
const testsModule = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');

async function measure(workspace) {
  const server = await startCodeServer({ workspace, env: { FLUX_GITOPS_TEST_SUITE: suite } });
  const figures = {};
  let browser;
  try {
    const { context, page } = await launchChromium(server.dirs.chrome);
    browser = context;
    let done;
    const exited = new Promise((resolve) => (done = resolve));
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      const match = /BENCH (.*)/.exec(line);
      if (match)
        for (const pair of match[1].split(' ')) {
          const [key, value] = pair.split('=');
          figures[key] = Number(value);
        }
    });
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    await page.goto(
      workbenchUrl({
        authority: server.authority,
        workspace: server.workspace,
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: testsModule,
      }),
    );
    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve('timeout'), 120_000)),
    ]);
    if (code !== 0) throw new Error(`bench run ended with ${code}`);
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
  }
  return figures;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [label, workspace] of [
  ['empty folder', null],
  ['sample repository', path.join(repoRoot, 'samples', 'homelab')],
]) {
  const samples = [];
  for (let i = 0; i < rounds; i++) samples.push(await measure(workspace));
  const keys = Object.keys(samples[0]);
  for (const key of keys) {
    const values = samples.map((s) => s[key]);
    console.log(
      `activation (${label}) ${key}: median ${median(values).toFixed(1)} ms  [${values.map((v) => v.toFixed(1)).join(', ')}]`,
    );
  }
}
