// SOPS benchmark: native engine vs the real sops binary, encrypt and decrypt of a 50-key
// Secret with an age key generated now. Prints the medians side by side (goal: native <= 30 ms).
// Needs `npm run compile-tests` (out/) and bash test/env/install.sh (sops, age-keygen).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { createSopsService } = require('../out/src/core/sops/index.js');
const cache = process.env.FLUX_GITOPS_CACHE || join(homedir(), '.cache', 'flux-gitops');
const sops = join(cache, 'bin', 'sops');
const rounds = Number(process.env.BENCH_ROUNDS || 15);

const dir = mkdtempSync(join(tmpdir(), 'bench-sops-'));
try {
  const keyFile = join(dir, 'keys.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = /age1[0-9a-z]+/.exec(
    execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }),
  )[0];
  writeFileSync(
    join(dir, '.sops.yaml'),
    `creation_rules:\n  - path_regex: .*\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${recipient}\n`,
  );
  const lines = Array.from({ length: 50 }, (_, i) => `  KEY_${i}: value-number-${i}-${'x'.repeat(24)}`);
  const plaintext = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: bench\n  namespace: default\nstringData:\n${lines.join('\n')}\n`;
  const file = join(dir, 'secret.yaml');
  writeFileSync(file, plaintext);
  const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };
  const service = createSopsService({ root: dir, ageKeyFile: keyFile, env: { HOME: dir } });

  const time = async (body) => {
    const samples = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      await body();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  };

  const encrypted = await service.encryptText(file, plaintext);
  const nativeEncrypt = await time(() => service.encryptText(file, plaintext));
  const nativeDecrypt = await time(() => service.decryptText(file, encrypted));
  const encryptedFile = join(dir, 'secret.enc.yaml');
  writeFileSync(encryptedFile, encrypted);
  const cliOptions = { cwd: dir, env, encoding: 'utf8' };
  const cliEncrypt = await time(() => execFileSync(sops, ['--encrypt', file], cliOptions));
  const cliDecrypt = await time(() => execFileSync(sops, ['--decrypt', encryptedFile], cliOptions));
  console.log(`sops bench, 50-key Secret, median of ${rounds}:`);
  console.log(`  encrypt  native ${nativeEncrypt.toFixed(1)} ms   sops CLI ${cliEncrypt.toFixed(1)} ms`);
  console.log(`  decrypt  native ${nativeDecrypt.toFixed(1)} ms   sops CLI ${cliDecrypt.toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
