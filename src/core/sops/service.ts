/**
 * The SOPS facade used by the extension: picks the store by file name, the creation rule from the
 * nearest .sops.yaml, the identities from the environment, and the engine (native or sops CLI).
 * Strings in, strings out: plaintext is never written to disk here.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import type { ProcessResult, RunOptions } from '../process/run';
import { SopsCliEngine } from './cli-engine';
import { findSopsConfig, matchCreationRule, type SopsConfig, type SopsFs } from './config';
import { type StoreFormat } from './document';
import { hasSopsMetadata, NativeSopsEngine } from './engine';
import { SopsError } from './errors';
import { AGE_RECIPIENT_RE } from './age';
import { loadAgeIdentities, type IdentityEnv } from './identities';

export type SopsFileFormat = StoreFormat | 'binary';

/** The sops store for a file name (as sops picks it: by extension; `.env` files are dotenv). */
export function formatForPath(filePath: string): SopsFileFormat {
  const base = nodePath.basename(filePath).toLowerCase();
  if (base.endsWith('.json')) return 'json';
  if (base.endsWith('.yaml') || base.endsWith('.yml')) return 'yaml';
  if (base.endsWith('.env')) return 'dotenv';
  return 'binary';
}

export interface SopsServiceOptions {
  env?: Readonly<Record<string, string | undefined>>;
  fs?: SopsFs & { readFile(path: string): Promise<string> };
  homedir?: string;
  platform?: NodeJS.Platform;
  /** Workspace root: .sops.yaml is searched up to here. */
  root?: string;
  /** 'native' (default: native for age, CLI for other key types) or 'cli' (always the sops binary). */
  engine?: 'native' | 'cli';
  sopsPath?: string;
  /** Age key file from the settings. */
  ageKeyFile?: string;
  /** False in an untrusted workspace: neither sops nor SOPS_AGE_KEY_CMD is run. */
  allowProcesses?: boolean;
  timeoutMs?: number;
  now?: () => Date;
  run?: (command: string, args: readonly string[], options: RunOptions) => Promise<ProcessResult>;
  /** When the native engine cannot decrypt (no matching age identity, unsupported keys), try the sops binary (default true). */
  cliFallback?: boolean;
}

export interface SopsCallOptions {
  signal?: AbortSignal;
  /** Overrides the service's workspace root for this call. */
  root?: string;
}

export interface SopsService {
  isEncrypted(text: string, filePath?: string): boolean;
  findConfig(filePath: string, root?: string): Promise<SopsConfig | undefined>;
  encryptText(filePath: string, text: string, opts?: SopsCallOptions): Promise<string>;
  decryptText(filePath: string, text: string, opts?: SopsCallOptions): Promise<string>;
  reencryptEdited(
    filePath: string,
    originalEncrypted: string,
    editedPlaintext: string,
    opts?: SopsCallOptions,
  ): Promise<string>;
}

const nodeFs: SopsFs = {
  readFile: (p) => fsp.readFile(p, 'utf8'),
  exists: async (p) => {
    try {
      await fsp.access(p);
      return true;
    } catch {
      return false;
    }
  },
};

export function createSopsService(options: SopsServiceOptions = {}): SopsService {
  const env = options.env ?? process.env;
  const fs = options.fs ?? nodeFs;
  const native = new NativeSopsEngine(options.now);
  const allow = options.allowProcesses !== false;
  const cli = new SopsCliEngine({
    sopsPath: options.sopsPath,
    env: { ...env } as NodeJS.ProcessEnv,
    timeoutMs: options.timeoutMs,
    run: options.run,
  });
  const identityEnv: IdentityEnv = {
    env,
    homedir: options.homedir ?? os.homedir(),
    platform: options.platform ?? process.platform,
    readFile: fs.readFile.bind(fs),
    exists: fs.exists.bind(fs),
    run: options.run,
  };

  const nativeFormat = (filePath: string): StoreFormat | undefined => {
    const f = formatForPath(filePath);
    return f === 'binary' ? undefined : f;
  };
  const requireProcesses = (): void => {
    if (!allow)
      throw new SopsError('unsupported', 'The workspace is not trusted: the sops binary is not run.');
  };
  const identities = (signal?: AbortSignal) => async () =>
    (await loadAgeIdentities(identityEnv, { keyFile: options.ageKeyFile, allowCommands: allow, signal }))
      .identities;
  const cliEnv = (): Record<string, string> =>
    options.ageKeyFile && !env.SOPS_AGE_KEY_FILE ? { SOPS_AGE_KEY_FILE: options.ageKeyFile } : {};

  const configFor = async (filePath: string, root: string | undefined): Promise<SopsConfig> => {
    const r = root ?? options.root ?? nodePath.dirname(nodePath.resolve(filePath));
    const config = await findSopsConfig(filePath, r, fs);
    if (!config)
      throw new SopsError('no-config', `No .sops.yaml found at or above ${filePath} (up to ${r}).`);
    return config;
  };

  const service: SopsService = {
    isEncrypted(text, filePath) {
      const f = filePath ? formatForPath(filePath) : 'yaml';
      if (f === 'binary') return hasSopsMetadata(text, 'json');
      if (!filePath)
        return (
          hasSopsMetadata(text, 'yaml') || hasSopsMetadata(text, 'json') || hasSopsMetadata(text, 'dotenv')
        );
      return hasSopsMetadata(text, f);
    },

    findConfig(filePath, root) {
      return findSopsConfig(
        filePath,
        root ?? options.root ?? nodePath.dirname(nodePath.resolve(filePath)),
        fs,
      );
    },

    async encryptText(filePath, text, opts = {}) {
      if (service.isEncrypted(text, filePath))
        throw new SopsError('already-encrypted', `${filePath} is already encrypted with SOPS.`);
      const config = await configFor(filePath, opts.root);
      const rule = matchCreationRule(filePath, config);
      const format = nativeFormat(filePath);
      const nativeOk =
        format !== undefined &&
        rule.otherKeyTypes.length === 0 &&
        rule.keyGroups <= 1 &&
        rule.age.length > 0 &&
        rule.age.every((r) => AGE_RECIPIENT_RE.test(r)) &&
        !rule.rules.unencryptedCommentRegex &&
        !rule.rules.encryptedCommentRegex;
      if (options.engine === 'cli' || !nativeOk) {
        requireProcesses();
        return cli.encrypt(filePath, text, { cwd: config.dir, signal: opts.signal, env: cliEnv() });
      }
      return native.encrypt(text, format, { age: rule.age, rules: rule.rules });
    },

    async decryptText(filePath, text, opts = {}) {
      const format = nativeFormat(filePath);
      if (options.engine === 'cli' || format === undefined) {
        requireProcesses();
        const cwd = (await service.findConfig(filePath, opts.root))?.dir;
        return cli.decrypt(filePath, text, { cwd, signal: opts.signal, env: cliEnv() });
      }
      try {
        return (await native.decrypt(text, format, identities(opts.signal))).plaintext;
      } catch (e) {
        if (!(e instanceof SopsError) || !allow || options.cliFallback === false) throw e;
        if (e.code === 'unsupported') {
          const cwd = (await service.findConfig(filePath, opts.root))?.dir;
          return cli.decrypt(filePath, text, { cwd, signal: opts.signal, env: cliEnv() });
        }
        if (e.code === 'no-identity') {
          // sops may still open it: SSH or plugin age identities, or PGP/KMS keys in the file.
          try {
            const cwd = (await service.findConfig(filePath, opts.root))?.dir;
            return await cli.decrypt(filePath, text, { cwd, signal: opts.signal, env: cliEnv() });
          } catch (cliError) {
            if (cliError instanceof SopsError && cliError.code === 'cancelled') throw cliError;
            throw e;
          }
        }
        throw e;
      }
    },

    async reencryptEdited(filePath, originalEncrypted, editedPlaintext, opts = {}) {
      // Always native, also when the CLI engine is chosen: sops has no way to re-encrypt a given
      // plaintext with a file's own data key, and keeping unchanged ciphertexts needs exactly that.
      const format = nativeFormat(filePath);
      if (format === undefined) {
        throw new SopsError(
          'unsupported',
          'Re-encrypting an edit with the same data key needs the native engine (YAML, JSON or dotenv with age).',
        );
      }
      try {
        return await native.reencryptEdited(
          originalEncrypted,
          editedPlaintext,
          format,
          identities(opts.signal),
        );
      } catch (e) {
        if (e instanceof SopsError && (e.code === 'unsupported' || e.code === 'no-identity')) {
          throw new SopsError(
            e.code,
            `${e.message} Saving an edit keeps the file's data key, which needs an age identity that opens the file.`,
          );
        }
        throw e;
      }
    },
  };
  return service;
}
