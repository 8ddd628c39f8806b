// The two sides of a changed object, from the API server itself: the live object (GET) and the
// object as it would be after kustomize-controller applied the build (a server-side apply with
// dryRun=All, the request `flux diff` makes: same field manager, force). Nothing is persisted.
import type * as K8s from '@kubernetes/client-node';
import { describeApiError } from '../cluster/api';
import { loadClientNode } from '../cluster/kubeconfig';
import type { KubeObject } from './objects';

/** kustomize-controller's field manager: what `flux diff` dry-runs as. */
export const FLUX_FIELD_MANAGER = 'kustomize-controller';

export interface ObjectReader {
  /** The live object, or undefined when the cluster has none. */
  read(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<KubeObject | undefined>;
  /** What the server would store if Flux applied `object` now; throws with the server's reason. */
  dryRunApply(object: KubeObject): Promise<KubeObject>;
}

/** An ObjectReader on a kubeconfig context (any kind: the client discovers the resource). */
export async function createObjectReader(kubeConfig: K8s.KubeConfig): Promise<ObjectReader> {
  const k8s = await loadClientNode();
  const client = k8s.KubernetesObjectApi.makeApiClient(kubeConfig);
  return {
    async read(object) {
      const header = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
      };
      try {
        return (await client.read(header)) as unknown as KubeObject;
      } catch (error) {
        if (describeApiError(error).kind === 'not-found') return undefined;
        throw new Error(
          `reading ${object.kind} ${object.metadata.name}: ${describeApiError(error).message}`,
          {
            cause: error,
          },
        );
      }
    },
    async dryRunApply(object) {
      try {
        const result = await client.patch(
          object as unknown as K8s.KubernetesObject,
          undefined,
          'All',
          FLUX_FIELD_MANAGER,
          true,
          k8s.PatchStrategy.ServerSideApply,
        );
        return result as unknown as KubeObject;
      } catch (error) {
        throw new Error(
          `dry-run apply of ${object.kind} ${object.metadata.name}: ${describeApiError(error).message}`,
          { cause: error },
        );
      }
    },
  };
}
