import type { RepositoryService } from '../platform/repositoryService';

export function createRefreshCommand(deps: { repository: RepositoryService }): () => void {
  return () => {
    deps.repository.rescan();
  };
}
