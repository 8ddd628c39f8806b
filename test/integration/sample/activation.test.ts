import * as assert from 'assert';
import * as vscode from 'vscode';
import { CommandId } from '../../../src/platform/commandIds';
import { getExtension, waitFor } from '../helpers';

interface ContributedCommand {
  command: string;
}

describe('activation on a Flux repository', () => {
  it('activates by itself because the workspace holds a Flux repository', async () => {
    const extension = getExtension();
    await waitFor('the extension to activate', () => (extension.isActive ? true : undefined), 90_000);
    assert.strictEqual(extension.isActive, true);
    assert.ok(extension.exports.activatedAt > 0);
  });

  it('registers every command that package.json contributes, and no other', async () => {
    const extension = getExtension();
    const contributed = (extension.packageJSON.contributes.commands as ContributedCommand[])
      .map((c) => c.command)
      .sort();
    const known = Object.values(CommandId).sort();
    assert.deepStrictEqual(contributed, known, 'package.json and src/platform/commandIds.ts disagree');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    assert.deepStrictEqual([...extension.exports.registeredCommands].sort(), contributed);
  });
});
