#!/usr/bin/env node
// The full fuzz run of the repository model on ../shared/corpus: 10,000 mutations (npm test runs a
// few), split over the repositories. After `npx tsc -p tsconfig.json`:
//
//   node scripts/fuzz-corpus.mjs [--mutations N] [--seed N] [--repos a,b]
//
// A failure prints the seed and the mutation sequence, and the environment to replay it with.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const env = { ...process.env, FLUX_GITOPS_FUZZ_MUTATIONS: '10000' };
const names = {
  '--mutations': 'FLUX_GITOPS_FUZZ_MUTATIONS',
  '--seed': 'FLUX_GITOPS_FUZZ_SEED',
  '--repos': 'FLUX_GITOPS_FUZZ_REPOS',
};
for (let i = 0; i < args.length; i += 2) {
  const name = names[args[i]];
  if (!name || args[i + 1] === undefined) {
    console.error('usage: node scripts/fuzz-corpus.mjs [--mutations N] [--seed N] [--repos a,b]');
    process.exit(2);
  }
  env[name] = args[i + 1];
}
const test = 'out/test/unit/repo/fuzz-corpus.test.js';
if (!existsSync(test)) {
  console.error(`fuzz-corpus: ${test} missing (run "npx tsc -p tsconfig.json" first)`);
  process.exit(2);
}
// No test timeout: 10,000 mutations, each checked against a fresh scan, take hours on 2 cores.
const run = spawnSync(process.execPath, ['--test', '--test-timeout=0', test], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
