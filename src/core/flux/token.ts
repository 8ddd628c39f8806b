// The value of reconcile.fluxcd.io/requestedAt: a timestamp in Go's RFC3339Nano layout (what
// `flux reconcile` writes), which the controllers copy to status.lastHandledReconcileAt.

/**
 * Formats `date` like Go's RFC3339Nano in UTC: fractional seconds without trailing zeros.
 * `subMillisNanos` (0..999999) adds precision beyond the millisecond so two quick requests differ.
 */
export function rfc3339Nano(date: Date = new Date(), subMillisNanos = 0): string {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  const base = iso.slice(0, 19);
  const nanos =
    date.getUTCMilliseconds() * 1_000_000 + Math.max(0, Math.min(999_999, Math.floor(subMillisNanos)));
  const fraction = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${fraction}Z`;
}

/** A fresh request token: now, with sub-millisecond digits from the high-resolution clock. */
export function newRequestToken(now: Date = new Date()): string {
  return rfc3339Nano(now, Number(process.hrtime.bigint() % 1_000_000n));
}
