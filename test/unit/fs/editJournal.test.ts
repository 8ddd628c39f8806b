import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnsavedEditJournal } from '../../../src/core/fs/editJournal';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'journal-'));
}

const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

test('a stopped process: its list is reported once, then removed', async () => {
  const dir = tempDir();
  const crashed = new UnsavedEditJournal(dir, { host: 'box', pid: 100 }, alive([]));
  await crashed.record(['/w/b.yaml', '/w/a.yaml', '/w/a.yaml']);
  const next = new UnsavedEditJournal(dir, { host: 'box', pid: 200 }, alive([200]));
  assert.deepEqual(next.claimLost(), ['/w/a.yaml', '/w/b.yaml']);
  assert.deepEqual(readdirSync(dir), [], 'the claimed list is removed');
  assert.deepEqual(next.claimLost(), [], 'reported once');
  rmSync(dir, { recursive: true });
});

test('a running window keeps its list: nothing is reported as lost', async () => {
  const dir = tempDir();
  const running = new UnsavedEditJournal(dir, { host: 'box', pid: 100 }, alive([100, 200]));
  await running.record(['/w/a.yaml']);
  const other = new UnsavedEditJournal(dir, { host: 'box', pid: 200 }, alive([100, 200]));
  assert.deepEqual(other.claimLost(), []);
  assert.ok(existsSync(running.file), `the running window's list stays: ${readdirSync(dir).join(', ')}`);
  rmSync(dir, { recursive: true });
});

test('a list of another machine is left alone (its process cannot be checked)', async () => {
  const dir = tempDir();
  await new UnsavedEditJournal(dir, { host: 'other', pid: 100 }, alive([])).record(['/w/a.yaml']);
  assert.deepEqual(new UnsavedEditJournal(dir, { host: 'box', pid: 200 }, alive([])).claimLost(), []);
  assert.equal(readdirSync(dir).length, 1);
  rmSync(dir, { recursive: true });
});

test('a list under this process id is from an earlier process with the same id', async () => {
  const dir = tempDir();
  await new UnsavedEditJournal(dir, { host: 'box', pid: 100 }, alive([])).record(['/w/a.yaml']);
  const reused = new UnsavedEditJournal(dir, { host: 'box', pid: 100 }, alive([100]));
  assert.deepEqual(reused.claimLost(), ['/w/a.yaml']);
  rmSync(dir, { recursive: true });
});

test('an empty list and an orderly stop leave no file; damaged files are skipped', async () => {
  const dir = tempDir();
  const journal = new UnsavedEditJournal(dir, { host: 'box', pid: 100 }, alive([]));
  await journal.record(['/w/a.yaml']);
  await journal.record([]);
  assert.deepEqual(readdirSync(dir), []);
  await journal.record(['/w/a.yaml']);
  journal.clearNow();
  assert.deepEqual(readdirSync(dir), []);
  writeFileSync(join(dir, 'box-300.json'), '{not json');
  assert.deepEqual(new UnsavedEditJournal(dir, { host: 'box', pid: 200 }, alive([])).claimLost(), []);
  rmSync(dir, { recursive: true });
});
