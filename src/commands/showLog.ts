import type { Log } from '../platform/log';

export function createShowLogCommand(deps: { log: Log }): () => void {
  return () => deps.log.show(true);
}
