/** What a subscription returns: call it to stop listening. */
export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (event: T) => void;

/** Where a listener's exception goes; the composition root points it at the extension's log. */
let reportListenerError: (error: unknown) => void = (error) => {
  console.error('a listener failed:', error);
};

export function onListenerError(report: (error: unknown) => void): void {
  reportListenerError = report;
}

/**
 * The one event mechanism of the domain. Listeners are isolated from each other: one that throws
 * is reported and the others still run, so a failing view cannot stop the model (or a watch)
 * that fired the event.
 */
export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  on(listener: Listener<T>): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
