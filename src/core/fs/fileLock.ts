import * as path from 'path';

const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `operation` when every earlier operation on the same file has settled, so two
 * encrypt/decrypt/save operations on one file never interleave.
 */
export async function withFileLock<T>(file: string, operation: () => Promise<T>): Promise<T> {
  const key = path.resolve(file);
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(operation, operation);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
