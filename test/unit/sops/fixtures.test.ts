import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { findSopsConfig, matchCreationRule } from '../../../src/core/sops/config';
import { createSopsService } from '../../../src/core/sops/service';
import { SopsError } from '../../../src/core/sops/errors';
import { analyze } from '../../../src/core/sops/document';
import { parseMetadata } from '../../../src/core/sops/metadata';

const repoRoot = path.resolve(__dirname, '../../../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures');
const skip = existsSync(FIXTURES) ? false : `shared fixtures not found at ${FIXTURES}`;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

const fs = {
  readFile: async (p: string) => readFileSync(p, 'utf8'),
  exists: async (p: string) => existsSync(p),
};

void test(
  "the user's SOPS files: detected, metadata read, a matching creation rule, a clear no-identity error",
  { skip },
  async () => {
    const service = createSopsService({ env: {}, homedir: '/nonexistent-home' });
    let count = 0;
    for (const repo of readdirSync(FIXTURES)) {
      const root = path.join(FIXTURES, repo);
      for (const file of walk(root)) {
        const text = readFileSync(file, 'utf8');
        if (!/^sops:/m.test(text)) continue;
        count++;
        assert.ok(service.isEncrypted(text, file), file);
        const an = analyze(text, 'yaml');
        const md = parseMetadata(an.docs[0]?.sops?.raw);
        assert.equal(md.rules.encryptedRegex, '^(data|stringData)$', file);
        const config = await findSopsConfig(file, root, fs);
        assert.ok(config, `a .sops.yaml above ${file}`);
        const rule = matchCreationRule(file, config);
        assert.deepEqual(
          rule.age,
          md.age.map((a) => a.recipient),
          file,
        );
        await assert.rejects(
          service.decryptText(file, text, { root }),
          (e: unknown) => e instanceof SopsError && e.code === 'no-identity',
        );
      }
    }
    assert.ok(count > 0, 'found SOPS files in the fixtures');
  },
);
