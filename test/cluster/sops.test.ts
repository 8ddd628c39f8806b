// The real sops binary built by test/env/install.sh: its version, and an encrypt/decrypt round
// trip with an age key generated here.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { binPath } from '../env/paths';

const work = mkdtempSync(join(tmpdir(), 'flux-gitops-sops-'));

/**
 * Environment for sops with no key other than the ones a test passes, and no version check (it
 * would reach out to the network).
 */
function sopsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: work, SOPS_DISABLE_VERSION_CHECK: '1', ...extra };
}

void describe('sops (real binary) with age', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  void test('prints its version', () => {
    const out = execFileSync(binPath('sops'), ['--version', '--disable-version-check'], {
      encoding: 'utf8',
      env: sopsEnv(),
      timeout: 20_000,
    });
    console.log(`# ${binPath('sops')}: ${out.trim().split('\n')[0]}`);
    assert.match(out, /sops 3\.13\.\d/);
  });

  void test('a file encrypted with an age key generated now decrypts with it', () => {
    const keyFile = join(work, 'age.key');
    execFileSync(binPath('age-keygen'), ['-o', keyFile], {
      timeout: 20_000,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const recipient = /# public key: (age1[0-9a-z]+)/.exec(readFileSync(keyFile, 'utf8'))?.[1];
    assert.ok(recipient, 'age-keygen wrote a public key');

    const plain =
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: s3cr3t-value\n';
    const plainFile = join(work, 'secret.yaml');
    writeFileSync(plainFile, plain);
    const encrypted = execFileSync(
      binPath('sops'),
      ['--encrypt', '--age', recipient, '--encrypted-regex', '^(data|stringData)$', plainFile],
      { encoding: 'utf8', cwd: work, env: sopsEnv(), timeout: 30_000 },
    );
    assert.ok(!encrypted.includes('s3cr3t-value'), 'value encrypted');
    assert.match(encrypted, /password: ENC\[AES256_GCM,data:/);
    const doc = parse(encrypted) as { metadata: { name: string }; sops: { age: { recipient: string }[] } };
    assert.equal(doc.metadata.name, 'db', 'unencrypted keys stay readable');
    assert.equal(doc.sops.age[0].recipient, recipient);

    const encFile = join(work, 'secret.enc.yaml');
    writeFileSync(encFile, encrypted);
    const decrypted = execFileSync(binPath('sops'), ['--decrypt', encFile], {
      encoding: 'utf8',
      cwd: work,
      env: sopsEnv({ SOPS_AGE_KEY_FILE: keyFile }),
      timeout: 30_000,
    });
    assert.deepEqual(parse(decrypted), parse(plain));

    const otherKey = join(work, 'other.key');
    execFileSync(binPath('age-keygen'), ['-o', otherKey], {
      timeout: 20_000,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const wrong = spawnSync(binPath('sops'), ['--decrypt', encFile], {
      encoding: 'utf8',
      cwd: work,
      env: sopsEnv({ SOPS_AGE_KEY_FILE: otherKey }),
      timeout: 30_000,
    });
    assert.notEqual(wrong.status, 0, 'another key cannot decrypt');
  });
});
