import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadAgeIdentities, splitCommand, type IdentityEnv } from '../../../src/core/sops/identities';
import { SopsError } from '../../../src/core/sops/errors';
import type { ProcessResult } from '../../../src/core/process/run';
import { newKey } from './helpers';

function env(
  vars: Record<string, string>,
  files: Record<string, string>,
  run?: IdentityEnv['run'],
): IdentityEnv {
  return {
    env: vars,
    homedir: '/home/u',
    platform: 'linux',
    readFile: async (p) => files[p] ?? '',
    exists: async (p) => p in files,
    run,
  };
}

void test('identities from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the setting and the default file', async () => {
  const [a, b, c, d] = await Promise.all([newKey(), newKey(), newKey(), newKey()]);
  const def = path.join('/home/u', '.config', 'sops', 'age', 'keys.txt');
  const r = await loadAgeIdentities(
    env(
      { SOPS_AGE_KEY: a.identity, SOPS_AGE_KEY_FILE: '/k/file.txt' },
      {
        '/k/file.txt': `# created\n# public key: x\n${b.identity}\n`,
        '/s.txt': c.identity,
        [def]: d.identity,
      },
    ),
    { keyFile: '/s.txt' },
  );
  assert.deepEqual(r.identities, [a.identity, b.identity, c.identity, d.identity]);
  assert.deepEqual(
    r.sources.map((s) => s.source),
    ['SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'setting', 'default'],
  );
});

void test('XDG_CONFIG_HOME default location comes first', async () => {
  const k = await newKey();
  const r = await loadAgeIdentities(
    env({ XDG_CONFIG_HOME: '/xdg' }, { [path.join('/xdg', 'sops', 'age', 'keys.txt')]: k.identity }),
  );
  assert.deepEqual(r.identities, [k.identity]);
});

void test('SOPS_AGE_KEY_CMD runs as an argument array, not when commands are disallowed', async () => {
  const k = await newKey();
  const calls: string[][] = [];
  const run: IdentityEnv['run'] = async (cmd, args): Promise<ProcessResult> => {
    calls.push([cmd, ...args]);
    return { kind: 'ok', stdout: `${k.identity}\n`, stderr: '' };
  };
  const r = await loadAgeIdentities(env({ SOPS_AGE_KEY_CMD: 'pass show "age key"' }, {}, run));
  assert.deepEqual(calls, [['pass', 'show', 'age key']]);
  assert.deepEqual(r.identities, [k.identity]);
  const none = await loadAgeIdentities(env({ SOPS_AGE_KEY_CMD: 'pass show x' }, {}, run), {
    allowCommands: false,
  });
  assert.deepEqual(none.identities, []);
  assert.equal(calls.length, 1);
  const failing: IdentityEnv['run'] = async () => ({ kind: 'timeout', stderr: '' });
  await assert.rejects(
    loadAgeIdentities(env({ SOPS_AGE_KEY_CMD: 'slow' }, {}, failing)),
    (e: unknown) => e instanceof SopsError && e.code === 'key-command',
  );
});

void test('splitCommand handles quotes and escapes without a shell', () => {
  assert.deepEqual(splitCommand(`a 'b c' "d \\"e\\"" f\\ g ''`), ['a', 'b c', 'd "e"', 'f g', '']);
  assert.throws(() => splitCommand('a "b'), SopsError);
});

void test('a missing SOPS_AGE_KEY_FILE is reported', async () => {
  await assert.rejects(
    loadAgeIdentities(env({ SOPS_AGE_KEY_FILE: '/nope' }, {})),
    (e: unknown) => e instanceof SopsError && e.code === 'no-identity',
  );
});
