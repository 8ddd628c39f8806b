import * as assert from 'assert';
import { getExtension, waitFor } from '../helpers';

// Not a speed assertion: it prints the figures that test/harness/bench-activation.mjs collects.
describe('activation benchmark', () => {
  it('measures activation of the bundled extension in this extension host', async () => {
    const extension = getExtension();
    let externalMs: number | undefined;
    if (!extension.isActive) {
      // Empty workspace: nothing activated it, so the full cost (require + activate) is measurable here.
      const started = performance.now();
      await extension.activate();
      externalMs = performance.now() - started;
    } else {
      await waitFor('activation', () => (extension.isActive ? true : undefined));
    }
    const api = extension.exports;
    const firstScanMs = await waitFor('the first scan', () => api.firstScanMs, 60_000);
    assert.ok(api.activationMs > 0);
    console.log(
      `BENCH activate_ms=${api.activationMs.toFixed(1)} first_scan_ms=${firstScanMs.toFixed(1)}` +
        (externalMs === undefined ? '' : ` require_and_activate_ms=${externalMs.toFixed(1)}`),
    );
  });
});
