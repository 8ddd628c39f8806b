/** Set to request a reconciliation; the controllers record it in status.lastHandledReconcileAt. */
export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
/** HelmRelease: force a release when equal to requestedAt. */
export const FORCE_AT = 'reconcile.fluxcd.io/forceAt';
/** HelmRelease: reset the failure counters when equal to requestedAt. */
export const RESET_AT = 'reconcile.fluxcd.io/resetAt';
