// Process helpers shared by the test environment's services (cluster.ts, flux.ts): free loopback
// ports, detached process groups with their output in a log file, liveness, and clean-up when the
// test process exits without stopping what it started.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Ends the process groups: SIGTERM, then SIGKILL for any left after the grace period. */
export async function stopGroups(pids: number[], timeoutMs = 15_000): Promise<void> {
  const order = pids.filter((p) => p > 0);
  for (const pid of order) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (order.some(isAlive) && Date.now() < deadline) await sleep(50);
  for (const pid of order) if (isAlive(pid)) killGroup(pid, 'SIGKILL');
  while (order.some(isAlive) && Date.now() < deadline + 5000) await sleep(50);
  // Kill any straggler left in the groups (there should be none).
  for (const pid of order) killGroup(pid, 'SIGKILL');
  const left = order.filter(isAlive);
  if (left.length > 0) throw new Error(`processes still running after stop: ${left.join(', ')}`);
}

/** Starts a process as the leader of its own group, stdout and stderr appended to logFile. */
export function spawnDetached(
  file: string,
  args: string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
  cwd?: string,
): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd], env, cwd });
    if (child.pid === undefined) throw new Error(`could not start ${file}`);
    child.on('error', () => {
      /* reported through the readiness wait and the log */
    });
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const exitHooks = new Map<string, () => void>();
let exitHookInstalled = false;
/** Runs cleanup (synchronously) if the process exits or is interrupted before unregisterExitCleanup(key). */
export function registerExitCleanup(key: string, cleanup: () => void): void {
  exitHooks.set(key, cleanup);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    const runAll = () => {
      for (const fn of exitHooks.values()) fn();
      exitHooks.clear();
    };
    process.on('exit', runAll);
    // Interrupted runs clean up too, then die of the same signal.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        runAll();
        process.kill(process.pid, signal);
      });
    }
  }
}

export function unregisterExitCleanup(key: string): void {
  exitHooks.delete(key);
}
