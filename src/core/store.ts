import { Emitter, type Disposable } from './events';

/** A value that changes over time; views subscribe and re-render from it. */
export class Store<T> {
  private readonly changes = new Emitter<T>();

  constructor(private current: T) {}

  get value(): T {
    return this.current;
  }

  set(value: T): void {
    this.current = value;
    this.changes.fire(value);
  }

  /** Calls `listener` on every change; returns the function that unsubscribes. */
  subscribe(listener: (value: T) => void): Disposable {
    return this.changes.on(listener);
  }
}
