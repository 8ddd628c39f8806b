import * as vscode from 'vscode';
import type { Store } from '../core/store';
import type { RepositoryState } from '../platform/repositoryService';

/** A scan shorter than this shows nothing: a fast update or rescan must not make the view blink. */
const SHOW_AFTER_MS = 300;
/** Once shown, the progress bar stays at least this long, for the same reason. */
const MIN_VISIBLE_MS = 500;
const FIRST_SCAN_MESSAGE = 'Scanning the repository…';

/** What the view shows about a scan: nothing, the first-scan message, or the progress bar. */
export type ScanIndication = 'idle' | 'message' | 'progress';

/**
 * Says in the repository view that a scan runs: during the first scan (no tree yet) a message
 * in the view, during a rescan the view's progress bar, while the last tree stays visible.
 */
export class ScanIndicator implements vscode.Disposable {
  private delay: NodeJS.Timeout | undefined;
  private hide: NodeJS.Timeout | undefined;
  /** Ends the running withProgress, when one is shown. */
  private endProgress: (() => void) | undefined;
  private progressSince = 0;
  private shownMessage: string | undefined;
  private readonly subscription: { dispose(): void };
  /** The last indications shown, oldest first (the integration tests read it). */
  readonly history: ScanIndication[] = [];

  constructor(
    store: Store<RepositoryState>,
    private readonly view: vscode.TreeView<unknown>,
    private readonly viewId: string,
  ) {
    this.render(store.value);
    this.subscription = store.subscribe((state) => this.render(state));
  }

  get progressShown(): boolean {
    return this.endProgress !== undefined;
  }

  get message(): string | undefined {
    return this.shownMessage;
  }

  private render(state: RepositoryState): void {
    // The message stands in for the tree, so it shows at once, until the first model arrives.
    const message = state.scanning && !state.model ? FIRST_SCAN_MESSAGE : undefined;
    if (this.shownMessage !== message) {
      this.shownMessage = message;
      this.view.message = message;
      this.record(message ? 'message' : 'idle');
    }
    if (state.scanning) {
      clearTimeout(this.hide);
      this.hide = undefined;
      if (!this.endProgress && !this.delay && state.model)
        this.delay = setTimeout(() => this.showProgress(), SHOW_AFTER_MS);
      return;
    }
    clearTimeout(this.delay);
    this.delay = undefined;
    if (this.endProgress && !this.hide) {
      const left = MIN_VISIBLE_MS - (performance.now() - this.progressSince);
      this.hide = setTimeout(() => this.hideProgress(), Math.max(0, left));
    }
  }

  private showProgress(): void {
    this.delay = undefined;
    this.progressSince = performance.now();
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.endProgress = end;
    void vscode.window.withProgress(
      { location: { viewId: this.viewId }, title: 'Scanning the repository' },
      () => ended,
    );
    this.record('progress');
  }

  private hideProgress(): void {
    this.hide = undefined;
    this.endProgress?.();
    this.endProgress = undefined;
    this.record('idle');
  }

  private record(indication: ScanIndication): void {
    this.history.push(indication);
    if (this.history.length > 100) this.history.shift();
  }

  dispose(): void {
    clearTimeout(this.delay);
    clearTimeout(this.hide);
    this.endProgress?.();
    this.subscription.dispose();
  }
}
