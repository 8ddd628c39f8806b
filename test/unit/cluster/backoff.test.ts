import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, backoffDelay } from '../../../src/core/cluster/backoff';

test('grows exponentially and is capped', () => {
  const opts = { initialMs: 100, maxMs: 1000, jitter: 0 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('jitter stays within [base*(1-j), base]', () => {
  const opts = { initialMs: 1000, maxMs: 60_000, jitter: 0.5 };
  assert.equal(backoffDelay(0, opts, 0), 500);
  assert.equal(backoffDelay(0, opts, 0.999999), 1000);
  for (let i = 0; i < 50; i++) {
    const d = backoffDelay(2, opts);
    assert.ok(d >= 2000 && d <= 4000, String(d));
  }
});

test('Backoff counts failures and resets', () => {
  const b = new Backoff({ initialMs: 10, maxMs: 100, jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next()], [10, 20, 40]);
  assert.equal(b.failures, 3);
  b.reset();
  assert.equal(b.next(), 10);
});
