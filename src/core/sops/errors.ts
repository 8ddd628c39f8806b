/** Errors of the SOPS core: every failure names its cause with a stable `code`. */

export type SopsErrorCode =
  | 'not-sops' // the text has no sops metadata
  | 'already-encrypted'
  | 'no-identity' // no age identity could decrypt the data key
  | 'mac-mismatch'
  | 'malformed' // malformed ENC value, metadata or document
  | 'parse' // the YAML/JSON could not be parsed
  | 'no-config' // no .sops.yaml at or above the file
  | 'no-rule' // no creation rule matches the file
  | 'bad-regex' // a regex that is not valid RE2 or that JavaScript would read differently
  | 'unsupported' // valid for sops but not for the native engine (use the sops CLI engine)
  | 'key-command' // SOPS_AGE_KEY_CMD failed
  | 'sops-missing' // the sops binary is not installed
  | 'sops-failed' // the sops binary failed
  | 'timeout'
  | 'cancelled';

export class SopsError extends Error {
  constructor(
    readonly code: SopsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SopsError';
  }
}

export function isSopsError(e: unknown, code?: SopsErrorCode): e is SopsError {
  return e instanceof SopsError && (code === undefined || e.code === code);
}
