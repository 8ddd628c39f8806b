import type { RepositoryService } from '../platform/repositoryService';

/** "Refresh": a full scan in the scan worker, for changes the file watcher did not report. */
export function createRefreshCommand(deps: { repository: RepositoryService }): () => Promise<void> {
  return async () => {
    await deps.repository.rescan();
  };
}
