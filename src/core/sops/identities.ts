/**
 * Age identities as sops finds them: SOPS_AGE_KEY (inline), SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD
 * (run without a shell), the default keys.txt locations, and an explicit file from a setting.
 * Environment, file system and process runner are injected so this is testable.
 */
import * as nodePath from 'node:path';
import { runProcess, type ProcessResult, type RunOptions } from '../process/run';
import { parseIdentities } from './age';
import { SopsError } from './errors';

export interface IdentityEnv {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  platform: NodeJS.Platform;
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  run?: (command: string, args: readonly string[], options: RunOptions) => Promise<ProcessResult>;
}

export interface IdentityOptions {
  /** An identity file chosen in the settings; read before the defaults. */
  keyFile?: string;
  /** Inline identities (e.g. from a secret store); read first. */
  inline?: string;
  /** False in an untrusted workspace: SOPS_AGE_KEY_CMD is not run. */
  allowCommands?: boolean;
  keyCmdTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface IdentitySourceInfo {
  source: 'inline' | 'SOPS_AGE_KEY' | 'SOPS_AGE_KEY_FILE' | 'SOPS_AGE_KEY_CMD' | 'setting' | 'default';
  path?: string;
  count: number;
}

export interface LoadedIdentities {
  identities: string[];
  sources: IdentitySourceInfo[];
}

/** Splits a command line into arguments (simple quoting, no shell features). */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
    } else cur += c;
  }
  if (quote) throw new SopsError('key-command', 'SOPS_AGE_KEY_CMD has an unterminated quote.');
  if (has || cur) out.push(cur);
  return out;
}

export function defaultKeyFiles(e: Pick<IdentityEnv, 'env' | 'homedir' | 'platform'>): string[] {
  const files: string[] = [];
  const xdg = e.env.XDG_CONFIG_HOME;
  if (xdg) files.push(nodePath.join(xdg, 'sops', 'age', 'keys.txt'));
  files.push(nodePath.join(e.homedir, '.config', 'sops', 'age', 'keys.txt'));
  if (e.platform === 'darwin')
    files.push(nodePath.join(e.homedir, 'Library', 'Application Support', 'sops', 'age', 'keys.txt'));
  if (e.platform === 'win32' && e.env.APPDATA)
    files.push(nodePath.join(e.env.APPDATA, 'sops', 'age', 'keys.txt'));
  return [...new Set(files)];
}

/** Collects every available identity (sops tries them all). */
export async function loadAgeIdentities(
  e: IdentityEnv,
  opts: IdentityOptions = {},
): Promise<LoadedIdentities> {
  const identities: string[] = [];
  const sources: IdentitySourceInfo[] = [];
  const add = (text: string, info: Omit<IdentitySourceInfo, 'count'>): void => {
    const ids = parseIdentities(text);
    for (const id of ids) if (!identities.includes(id)) identities.push(id);
    sources.push({ ...info, count: ids.length });
  };
  if (opts.inline) add(opts.inline, { source: 'inline' });
  const inlineEnv = e.env.SOPS_AGE_KEY;
  if (inlineEnv) add(inlineEnv, { source: 'SOPS_AGE_KEY' });
  const keyFile = e.env.SOPS_AGE_KEY_FILE;
  if (keyFile) {
    if (!(await e.exists(keyFile)))
      throw new SopsError('no-identity', `SOPS_AGE_KEY_FILE points to a missing file: ${keyFile}`);
    add(await e.readFile(keyFile), { source: 'SOPS_AGE_KEY_FILE', path: keyFile });
  }
  const cmd = e.env.SOPS_AGE_KEY_CMD;
  if (cmd && opts.allowCommands !== false) {
    const argv = splitCommand(cmd);
    const [command, ...args] = argv;
    if (!command) throw new SopsError('key-command', 'SOPS_AGE_KEY_CMD is empty.');
    const run = e.run ?? runProcess;
    const r = await run(command, args, {
      timeoutMs: opts.keyCmdTimeoutMs ?? 15_000,
      signal: opts.signal,
      env: { ...e.env } as NodeJS.ProcessEnv,
    });
    switch (r.kind) {
      case 'ok':
        add(r.stdout, { source: 'SOPS_AGE_KEY_CMD' });
        break;
      case 'not-found':
        throw new SopsError('key-command', `SOPS_AGE_KEY_CMD: command not found: ${command}`);
      case 'timeout':
        throw new SopsError('key-command', `SOPS_AGE_KEY_CMD timed out: ${command}`);
      case 'cancelled':
        throw new SopsError('cancelled', 'Cancelled while running SOPS_AGE_KEY_CMD.');
      case 'failed':
        throw new SopsError(
          'key-command',
          `SOPS_AGE_KEY_CMD failed (exit ${String(r.code)}): ${r.stderr.trim()}`,
        );
    }
  }
  if (opts.keyFile) {
    if (!(await e.exists(opts.keyFile)))
      throw new SopsError(
        'no-identity',
        `The age key file from the settings does not exist: ${opts.keyFile}`,
      );
    add(await e.readFile(opts.keyFile), { source: 'setting', path: opts.keyFile });
  }
  for (const f of defaultKeyFiles(e)) {
    if (await e.exists(f)) {
      add(await e.readFile(f), { source: 'default', path: f });
      break;
    }
  }
  return { identities, sources };
}
