import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, onListenerError } from '../../../src/core/events';
import { Store } from '../../../src/core/store';

test('a listener that throws is reported and the others still run, in order', () => {
  const reported: unknown[] = [];
  onListenerError((error) => reported.push(error));
  const store = new Store(0);
  const seen: string[] = [];
  store.subscribe((value) => seen.push(`first ${value}`));
  store.subscribe(() => {
    throw new Error('view broke');
  });
  store.subscribe((value) => seen.push(`third ${value}`));
  store.set(1);
  assert.deepEqual(seen, ['first 1', 'third 1']);
  assert.equal(store.value, 1);
  assert.deepEqual(
    reported.map((e) => (e as Error).message),
    ['view broke'],
  );
});

test('a listener disposed while an event is delivered still gets that event, not the next', () => {
  const emitter = new Emitter<number>();
  const seen: number[] = [];
  const subscriptions: { dispose(): void }[] = [];
  emitter.on(() => subscriptions.forEach((s) => s.dispose()));
  subscriptions.push(emitter.on((n) => seen.push(n)));
  emitter.fire(1);
  emitter.fire(2);
  assert.deepEqual(seen, [1]);
});
