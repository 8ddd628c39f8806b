import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../../src/core/fs/atomicWrite';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'atomic-'));
}

test('replaces the content and keeps the file mode', async () => {
  const dir = tempDir();
  const file = join(dir, 'secrets.yaml');
  writeFileSync(file, 'old');
  chmodSync(file, 0o600);
  await writeFileAtomic(file, 'new');
  assert.equal(readFileSync(file, 'utf8'), 'new');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['secrets.yaml'], 'no temporary file is left behind');
  rmSync(dir, { recursive: true });
});

test('creates a new file', async () => {
  const dir = tempDir();
  const file = join(dir, 'new.yaml');
  await writeFileAtomic(file, 'a: 1\n');
  assert.equal(readFileSync(file, 'utf8'), 'a: 1\n');
  rmSync(dir, { recursive: true });
});

test('a failed write leaves the target as it was and no temporary file', async () => {
  const dir = tempDir();
  // The rename fails (EISDIR) when the target is a folder: the write itself already happened.
  const target = join(dir, 'secrets.yaml');
  mkdirSync(target);
  writeFileSync(join(target, 'inside'), 'original');
  await assert.rejects(writeFileAtomic(target, 'new'));
  assert.deepEqual(readdirSync(dir), ['secrets.yaml'], 'the temporary file was removed');
  assert.equal(readFileSync(join(target, 'inside'), 'utf8'), 'original');
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'x.yaml'), 'new'));
  rmSync(dir, { recursive: true });
});
