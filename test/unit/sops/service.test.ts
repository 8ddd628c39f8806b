import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createSopsService, formatForPath } from '../../../src/core/sops/service';
import { SopsCliEngine } from '../../../src/core/sops/cli-engine';
import { SopsError } from '../../../src/core/sops/errors';
import type { ProcessResult, RunOptions } from '../../../src/core/process/run';
import { newKey } from './helpers';

const ROOT = path.resolve('/ws');

function memFs(files: Record<string, string>) {
  return {
    readFile: async (p: string) => {
      const v = files[p];
      if (v === undefined) throw new Error(`ENOENT ${p}`);
      return v;
    },
    exists: async (p: string) => p in files,
  };
}

const isCode = (code: string) => (e: unknown) => e instanceof SopsError && e.code === code;

void test('service: encrypt by the matching rule, decrypt, re-encrypt, isEncrypted', async () => {
  const k = await newKey();
  const files = {
    [path.join(ROOT, '.sops.yaml')]:
      `creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${k.recipient}\n`,
    [path.join(ROOT, 'keys.txt')]: k.identity,
  };
  const s = createSopsService({
    root: ROOT,
    fs: memFs(files),
    env: { SOPS_AGE_KEY_FILE: path.join(ROOT, 'keys.txt') },
    homedir: '/nohome',
  });
  const file = path.join(ROOT, 'secrets', 'db.yaml');
  const plain = 'kind: Secret\nstringData:\n  password: pw\n';
  const enc = await s.encryptText(file, plain);
  assert.ok(s.isEncrypted(enc, file));
  assert.ok(!s.isEncrypted(plain, file));
  assert.match(enc, /kind: Secret/);
  assert.equal(await s.decryptText(file, enc), plain);
  const re = await s.reencryptEdited(file, enc, plain.replace('pw', 'pw2'));
  assert.equal(await s.decryptText(file, re), plain.replace('pw', 'pw2'));
  await assert.rejects(s.encryptText(file, enc), isCode('already-encrypted'));
  await assert.rejects(s.encryptText(path.join(ROOT, 'other', 'x.yaml'), plain), isCode('no-rule'));
  const noConfig = createSopsService({ root: ROOT, fs: memFs({}), env: {}, homedir: '/nohome' });
  await assert.rejects(noConfig.encryptText(file, plain), isCode('no-config'));
  assert.equal((await s.findConfig(file))?.path, path.join(ROOT, '.sops.yaml'));
});

void test('service: rules with other key types go to the sops CLI; untrusted workspaces run nothing', async () => {
  const calls: { cmd: string; args: readonly string[]; cwd?: string; input?: string | Uint8Array }[] = [];
  const run = async (cmd: string, args: readonly string[], o: RunOptions): Promise<ProcessResult> => {
    calls.push({ cmd, args, cwd: o.cwd, input: o.input });
    return { kind: 'ok', stdout: 'ENCRYPTED', stderr: '' };
  };
  const files = { [path.join(ROOT, '.sops.yaml')]: 'creation_rules:\n  - pgp: ABCDEF\n' };
  const file = path.join(ROOT, 'a', 's.yaml');
  const s = createSopsService({
    root: ROOT,
    fs: memFs(files),
    env: {},
    homedir: '/nohome',
    run,
    sopsPath: '/opt/sops',
  });
  assert.equal(await s.encryptText(file, 'a: 1\n'), 'ENCRYPTED');
  assert.equal(calls[0]?.cmd, '/opt/sops');
  assert.deepEqual(calls[0]?.args, [
    'encrypt',
    '--input-type',
    'yaml',
    '--output-type',
    'yaml',
    '--filename-override',
    file,
  ]);
  assert.equal(calls[0]?.cwd, ROOT);
  assert.equal(calls[0]?.input, 'a: 1\n');
  const untrusted = createSopsService({
    root: ROOT,
    fs: memFs(files),
    env: {},
    homedir: '/nohome',
    run,
    allowProcesses: false,
  });
  await assert.rejects(untrusted.encryptText(file, 'a: 1\n'), isCode('unsupported'));
  assert.equal(calls.length, 1);
});

void test('sops CLI engine: missing binary names how to install it; failures are classified', async () => {
  const missing = new SopsCliEngine({ run: async () => ({ kind: 'not-found', command: 'sops' }) });
  await assert.rejects(missing.decrypt('/x/a.yaml', 'a: 1'), (e: unknown) => {
    assert.ok(e instanceof SopsError && e.code === 'sops-missing');
    assert.match(e.message, /go install github\.com\/getsops\/sops\/v3\/cmd\/sops@v3\.13\.2/);
    return true;
  });
  const mac = new SopsCliEngine({
    run: async () => ({
      kind: 'failed',
      code: 1,
      stdout: '',
      stderr: 'Error: MAC mismatch. File has X, computed Y',
    }),
  });
  await assert.rejects(mac.decrypt('/x/a.yaml', 'a: 1'), isCode('mac-mismatch'));
  const slow = new SopsCliEngine({ run: async () => ({ kind: 'timeout', stderr: '' }), timeoutMs: 5 });
  await assert.rejects(slow.decrypt('/x/a.yaml', 'a: 1'), isCode('timeout'));
  const cancelled = new SopsCliEngine({ run: async () => ({ kind: 'cancelled' }) });
  await assert.rejects(cancelled.encrypt('/x/a.json', '{}'), isCode('cancelled'));
});

void test('formats by file name', () => {
  assert.equal(formatForPath('a/b.yaml'), 'yaml');
  assert.equal(formatForPath('a/b.YML'), 'yaml');
  assert.equal(formatForPath('a/b.json'), 'json');
  assert.equal(formatForPath('a/.env'), 'dotenv');
  assert.equal(formatForPath('a/b.txt'), 'binary');
  assert.equal(formatForPath('a/b.env'), 'dotenv');
});

void test('service: decrypt falls back to sops when no native identity matches, and keeps the native error otherwise', async () => {
  const k = await newKey();
  const files = {
    [path.join(ROOT, '.sops.yaml')]: `creation_rules:\n  - age: ${k.recipient}\n`,
  };
  const enc = await createSopsService({
    root: ROOT,
    fs: memFs(files),
    env: { SOPS_AGE_KEY: k.identity },
    homedir: '/nohome',
  }).encryptText(path.join(ROOT, 'a.yaml'), 'a: 1\n');
  const ok = createSopsService({
    root: ROOT,
    fs: memFs(files),
    env: {},
    homedir: '/nohome',
    run: async () => ({ kind: 'ok', stdout: 'a: 1\n', stderr: '' }),
  });
  assert.equal(await ok.decryptText(path.join(ROOT, 'a.yaml'), enc), 'a: 1\n');
  const missing = createSopsService({
    root: ROOT,
    fs: memFs(files),
    env: {},
    homedir: '/nohome',
    run: async () => ({ kind: 'not-found', command: 'sops' }),
  });
  await assert.rejects(missing.decryptText(path.join(ROOT, 'a.yaml'), enc), isCode('no-identity'));
  const noFallback = createSopsService({
    root: ROOT,
    fs: memFs(files),
    env: {},
    homedir: '/nohome',
    cliFallback: false,
  });
  await assert.rejects(noFallback.decryptText(path.join(ROOT, 'a.yaml'), enc), isCode('no-identity'));
});
