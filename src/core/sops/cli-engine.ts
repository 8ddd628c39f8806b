/**
 * The sops CLI engine: runs the real sops binary (on PATH or an explicit path) with argument
 * arrays, the text on stdin and the result on stdout, `--filename-override` with the file's path
 * (so sops picks the store and creation rule) and the config folder as working directory.
 * For key types the native engine does not do (PGP, KMS, Vault…) or by the user's choice.
 */
import * as nodePath from 'node:path';
import { runProcess, type ProcessResult, type RunOptions } from '../process/run';
import { SopsError } from './errors';

export const SOPS_INSTALL_HINT =
  'Install sops v3.13.2 (https://github.com/getsops/sops/releases) or build it with: go install github.com/getsops/sops/v3/cmd/sops@v3.13.2';

export interface CliEngineOptions {
  /** Explicit sops path (a setting); default "sops" looked up on PATH. */
  sopsPath?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  run?: (command: string, args: readonly string[], options: RunOptions) => Promise<ProcessResult>;
}

export interface CliCallOptions {
  /** Folder of the .sops.yaml (working directory); default the file's folder. */
  cwd?: string;
  signal?: AbortSignal;
  /** Extra environment (e.g. SOPS_AGE_KEY_FILE from a setting). */
  env?: Record<string, string>;
}

export class SopsCliEngine {
  constructor(private readonly options: CliEngineOptions = {}) {}

  get command(): string {
    return this.options.sopsPath || 'sops';
  }

  async version(signal?: AbortSignal): Promise<string> {
    const out = await this.exec(
      ['--version', '--disable-version-check'],
      undefined,
      { signal },
      process.cwd(),
    );
    const m = /sops (\d+\.\d+\.\d+)/.exec(out);
    return m?.[1] ?? out.trim();
  }

  decrypt(filePath: string, text: string, opts: CliCallOptions = {}): Promise<string> {
    return this.exec(
      ['decrypt', ...this.typeArgs(filePath), '--filename-override', filePath],
      text,
      opts,
      this.cwdFor(filePath, opts),
    );
  }

  encrypt(filePath: string, text: string, opts: CliCallOptions = {}): Promise<string> {
    return this.exec(
      ['encrypt', ...this.typeArgs(filePath), '--filename-override', filePath],
      text,
      opts,
      this.cwdFor(filePath, opts),
    );
  }

  private cwdFor(filePath: string, opts: CliCallOptions): string {
    return opts.cwd ?? nodePath.dirname(nodePath.resolve(filePath));
  }

  private typeArgs(filePath: string): string[] {
    const ext = nodePath.extname(filePath).toLowerCase();
    const t =
      ext === '.json'
        ? 'json'
        : ext === '.env'
          ? 'dotenv'
          : ext === '.yaml' || ext === '.yml'
            ? 'yaml'
            : undefined;
    return t ? ['--input-type', t, '--output-type', t] : [];
  }

  private async exec(
    args: string[],
    input: string | undefined,
    opts: CliCallOptions,
    cwd: string,
  ): Promise<string> {
    const run = this.options.run ?? runProcess;
    const env = { ...(this.options.env ?? process.env), ...(opts.env ?? {}) };
    const r = await run(this.command, args, {
      cwd,
      env,
      input,
      signal: opts.signal,
      timeoutMs: this.options.timeoutMs ?? 30_000,
    });
    switch (r.kind) {
      case 'ok':
        return r.stdout;
      case 'not-found':
        throw new SopsError(
          'sops-missing',
          `The sops binary was not found (${this.command}). ${SOPS_INSTALL_HINT}`,
        );
      case 'timeout':
        throw new SopsError('timeout', `sops timed out after ${this.options.timeoutMs ?? 30_000} ms.`);
      case 'cancelled':
        throw new SopsError('cancelled', 'The sops operation was cancelled.');
      case 'failed': {
        const msg = r.stderr.trim() || `exit code ${String(r.code)}`;
        if (/MAC mismatch/i.test(msg)) throw new SopsError('mac-mismatch', `sops: ${msg}`);
        if (/sops metadata not found/i.test(msg)) throw new SopsError('not-sops', `sops: ${msg}`);
        if (/already encrypted/i.test(msg)) throw new SopsError('already-encrypted', `sops: ${msg}`);
        if (/no matching creation rules|config file not found/i.test(msg))
          throw new SopsError('no-rule', `sops: ${msg}`);
        if (/failed to get the data key|could not decrypt data key/i.test(msg))
          throw new SopsError('no-identity', `sops: ${msg}`);
        throw new SopsError('sops-failed', `sops: ${msg}`);
      }
    }
  }
}
