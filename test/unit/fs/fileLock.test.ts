import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withFileLock } from '../../../src/core/fs/fileLock';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('operations on one file run one after the other, in order', async () => {
  const events: string[] = [];
  const op = (name: string, ms: number) => async () => {
    events.push(`start ${name}`);
    await delay(ms);
    events.push(`end ${name}`);
    return name;
  };
  const results = await Promise.all([
    withFileLock('/repo/secrets.yaml', op('a', 30)),
    withFileLock('/repo/./secrets.yaml', op('b', 1)),
  ]);
  assert.deepEqual(results, ['a', 'b']);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
});

test('a failed operation does not block the next one', async () => {
  await assert.rejects(
    withFileLock('/repo/x.yaml', () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await withFileLock('/repo/x.yaml', () => Promise.resolve(42)), 42);
});

test('different files do not wait for each other', async () => {
  const events: string[] = [];
  await Promise.all([
    withFileLock('/repo/slow.yaml', async () => {
      await delay(30);
      events.push('slow');
    }),
    withFileLock('/repo/fast.yaml', async () => {
      events.push('fast');
    }),
  ]);
  assert.deepEqual(events, ['fast', 'slow']);
});
