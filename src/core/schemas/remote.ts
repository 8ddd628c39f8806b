// Schemas that files name themselves, as `# yaml-language-server: $schema=https://…` modelines.
// The YAML server asks the client for them (vscode/content) instead of fetching them itself, so
// that a schema which cannot be fetched (no network, a proxy, the host down) never turns into an
// "Unable to load schema" error on the user's file: the file is then checked against the Flux
// schemas, as if it had no modeline, and the log says once which URL could not be fetched.
import { DISPATCHER_URI } from './catalog';

/** What a file whose modeline schema cannot be fetched is checked against: the Flux dispatcher. */
export const UNREACHABLE_SCHEMA_STANDIN = JSON.stringify({ $ref: DISPATCHER_URI });

export interface RemoteSchemaDeps {
  /** One line for the log, written once per URL that cannot be fetched. */
  readonly log: (message: string) => void;
  /** Time given to one fetch before the URL counts as unreachable. */
  readonly timeoutMs?: number;
  /** How long an unreachable URL is not asked again (the network may come back). */
  readonly retryAfterMs?: number;
  readonly now?: () => number;
}

export interface RemoteSchemas {
  /** The schema text at `url`, or {@link UNREACHABLE_SCHEMA_STANDIN} when it cannot be fetched; never rejects. */
  content(url: string): Promise<string>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_RETRY_AFTER_MS = 5 * 60_000;

/** Fetches http(s) schemas with a timeout, keeps what it fetched, and stands in for what it could not. */
export function createRemoteSchemas(deps: RemoteSchemaDeps): RemoteSchemas {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retryAfterMs = deps.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  const now = deps.now ?? Date.now;
  const fetched = new Map<string, Promise<string>>();
  const failedAt = new Map<string, number>();
  const logged = new Set<string>();

  const fetchOnce = async (url: string): Promise<string> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!response.ok)
      throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    return response.text();
  };

  return {
    async content(url: string): Promise<string> {
      const failed = failedAt.get(url);
      if (failed !== undefined && now() - failed < retryAfterMs) return UNREACHABLE_SCHEMA_STANDIN;
      let pending = fetched.get(url);
      if (!pending) {
        pending = fetchOnce(url);
        fetched.set(url, pending);
      }
      try {
        return await pending;
      } catch (error) {
        fetched.delete(url);
        failedAt.set(url, now());
        if (!logged.has(url)) {
          logged.add(url);
          deps.log(
            `Flux schemas: cannot fetch the schema ${url} named by a $schema modeline (${reason(error)}); ` +
              'files naming it are checked against the Flux schemas instead',
          );
        }
        return UNREACHABLE_SCHEMA_STANDIN;
      }
    },
  };
}

/** The most telling message of a failed fetch: undici hides the system error in `cause`. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
