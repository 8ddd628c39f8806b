import * as assert from 'assert';
import type { RepoNode } from '../../src/core/tree/repoTree';
import { getExtension, waitFor } from './helpers';

export const labels = (nodes: readonly RepoNode[]): string[] => nodes.map((node) => node.label);

export function child(node: RepoNode, label: string): RepoNode {
  const found = node.children.find((c) => c.label === label);
  assert.ok(found, `${node.label} has no child "${label}" (has: ${labels(node.children).join(', ')})`);
  return found;
}

/** The tree once the extension activated and the first scan finished. */
export async function scannedTree(): Promise<readonly RepoNode[]> {
  const extension = getExtension();
  // Resolves when activation has finished (activation itself is tested on its own, by its events).
  await extension.activate();
  return waitFor('a scanned tree', () => {
    const nodes = extension.exports.repositoryTree();
    return nodes.length > 0 ? nodes : undefined;
  });
}
