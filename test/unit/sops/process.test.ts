import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProcess } from '../../../src/core/process/run';

const node = process.execPath;

void test('runProcess: ok with stdin and stdout', async () => {
  const r = await runProcess(node, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'hello' });
  assert.deepEqual(r, { kind: 'ok', stdout: 'hello', stderr: '' });
});

void test('runProcess: failed, not-found, timeout, cancelled', async () => {
  const f = await runProcess(node, ['-e', 'console.error("bad"); process.exit(3)']);
  assert.equal(f.kind, 'failed');
  if (f.kind === 'failed') {
    assert.equal(f.code, 3);
    assert.match(f.stderr, /bad/);
  }
  assert.equal((await runProcess('/nonexistent/binary-xyz', [])).kind, 'not-found');
  assert.equal(
    (await runProcess(node, ['-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 200 })).kind,
    'timeout',
  );
  const ac = new AbortController();
  const p = runProcess(node, ['-e', 'setTimeout(() => {}, 10000)'], { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  assert.equal((await p).kind, 'cancelled');
  const pre = new AbortController();
  pre.abort();
  assert.equal((await runProcess(node, ['-e', '1'], { signal: pre.signal })).kind, 'cancelled');
});
