import { loadAge } from '../../../src/core/sops/age';

export async function newKey(): Promise<{ identity: string; recipient: string }> {
  const age = await loadAge();
  const identity = await age.generateX25519Identity();
  return { identity, recipient: await age.identityToRecipient(identity) };
}

export const ids =
  (...list: string[]) =>
  async (): Promise<string[]> =>
    list;
