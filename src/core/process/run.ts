/**
 * A small process runner: argument arrays (never a shell), optional stdin, a timeout and
 * cancellation through an AbortSignal. The result is a union so callers handle every outcome.
 */
import { spawn } from 'node:child_process';

export type ProcessResult =
  | { kind: 'ok'; stdout: string; stderr: string }
  | { kind: 'not-found'; command: string }
  | { kind: 'failed'; code: number | null; signal?: NodeJS.Signals | null; stdout: string; stderr: string }
  | { kind: 'timeout'; stderr: string }
  | { kind: 'cancelled' };

export interface RunOptions {
  cwd?: string;
  /** Full environment for the child; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  input?: string | Uint8Array;
  /** Milliseconds before the child is killed; default 30 000. 0 disables the timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Cap on captured stdout+stderr bytes (default 64 MiB); beyond it the child is killed. */
  maxOutputBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Runs `command` with `args` (no shell) and collects its output. Never throws. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve({ kind: 'cancelled' });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = options.maxOutputBytes ?? 64 * 1024 * 1024;

  return new Promise<ProcessResult>((resolve) => {
    let settled = false;
    let timedOut = false;
    let cancelled = false;
    let overflow = false;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let total = 0;

    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: false,
      windowsHide: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });

    const finish = (result: ProcessResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const kill = (): void => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const onAbort = (): void => {
      cancelled = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, timeoutMs)
        : undefined;

    const collect = (sink: Buffer[]) => (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxOutput) {
        overflow = true;
        kill();
        return;
      }
      sink.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') finish({ kind: 'not-found', command });
      else if (err.code === 'EACCES')
        finish({ kind: 'failed', code: null, stdout: '', stderr: `${command}: permission denied` });
      else finish({ kind: 'failed', code: null, stdout: '', stderr: err.message });
    });
    child.on('close', (code, sig) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (cancelled) finish({ kind: 'cancelled' });
      else if (timedOut) finish({ kind: 'timeout', stderr: err });
      else if (overflow)
        finish({
          kind: 'failed',
          code,
          signal: sig,
          stdout: '',
          stderr: `${err}\noutput exceeded ${maxOutput} bytes`,
        });
      else if (code === 0) finish({ kind: 'ok', stdout: out, stderr: err });
      else finish({ kind: 'failed', code, signal: sig, stdout: out, stderr: err });
    });

    child.stdin.on('error', () => {
      /* the child may exit before reading stdin (EPIPE); the close handler reports the outcome */
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
