#!/usr/bin/env node
// Runs a command several times in a row while the machine is kept busy on purpose: one busy-loop
// process per core (two by default), so tests that wait for time instead of for a condition show
// themselves. The loops are stopped on every way out (the end, a failure, Ctrl-C, SIGTERM, a crash
// of this script). Prints each run's exit status and duration, then a summary; exits non-zero when
// any run failed.
//
//   node scripts/under-load.mjs [--runs N] [--hogs N] [-- command args...]   (default: npm test, 3 runs)
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

function usage(message) {
  if (message) console.error(`under-load: ${message}`);
  console.error('usage: node scripts/under-load.mjs [--runs N] [--hogs N] [-- command args...]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { runs: 3, hogs: Math.max(2, availableParallelism()), command: ['npm', 'test'] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      const command = argv.slice(i + 1);
      if (command.length === 0) usage('no command after --');
      options.command = command;
      break;
    }
    if (arg === '--runs' || arg === '--hogs') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (arg === '--runs' ? 1 : 0)) usage(`${arg} needs a number`);
      options[arg.slice(2)] = value;
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const hogs = [];
let current; // the run in progress, so a signal can end it with its process group

function startHogs(count) {
  for (let i = 0; i < count; i++) {
    // A process of its own per loop: the scheduler spreads them over the cores.
    const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    hogs.push(hog);
  }
  console.log(`under-load: ${count} busy loops started (pids ${hogs.map((h) => h.pid).join(', ')})`);
}

function stopHogs() {
  for (const hog of hogs.splice(0)) {
    if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
  }
}

function stopCurrent(signal) {
  if (!current?.pid) return;
  try {
    process.kill(-current.pid, signal); // the command's whole process group
  } catch {
    /* already gone */
  }
}

// Every way out stops the loops: a normal exit, a signal, an exception.
process.on('exit', () => {
  stopCurrent('SIGKILL');
  stopHogs();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`under-load: ${signal}, stopping the run and the busy loops`);
    stopCurrent('SIGTERM');
    stopHogs();
    process.exit(130);
  });
}
process.on('uncaughtException', (error) => {
  console.error(`under-load: ${error?.stack ?? error}`);
  process.exit(1);
});

function runOnce() {
  return new Promise((resolve) => {
    const started = Date.now();
    const [file, ...args] = options.command;
    // detached: its own process group, so Ctrl-C here can end everything it started.
    current = spawn(file, args, { stdio: 'inherit', detached: true });
    current.on('error', (error) => {
      current = undefined;
      resolve({ status: `error: ${error.message}`, ok: false, ms: Date.now() - started });
    });
    current.on('exit', (code, signal) => {
      current = undefined;
      resolve({
        status: signal ? `signal ${signal}` : `exit ${code}`,
        ok: code === 0,
        ms: Date.now() - started,
      });
    });
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
startHogs(options.hogs);
const results = [];
try {
  for (let run = 1; run <= options.runs; run++) {
    console.log(`\nunder-load: run ${run}/${options.runs}: ${options.command.join(' ')}`);
    const result = await runOnce();
    results.push(result);
    console.log(
      `under-load: run ${run}/${options.runs}: ${result.ok ? 'passed' : 'FAILED'} (${result.status}) in ${seconds(result.ms)}`,
    );
  }
} finally {
  stopHogs();
}
console.log('\nunder-load: summary');
results.forEach((r, i) =>
  console.log(`  run ${i + 1}: ${r.ok ? 'passed' : 'FAILED'} (${r.status}) ${seconds(r.ms)}`),
);
const failed = results.filter((r) => !r.ok).length;
console.log(`under-load: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
