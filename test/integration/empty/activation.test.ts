import * as assert from 'assert';
import * as vscode from 'vscode';
import { getExtension, waitFor } from '../helpers';

describe('an empty workspace', () => {
  it('does not activate the extension (no "*" activation)', async () => {
    // Give the workbench time to fire workspaceContains and startup activation events.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.strictEqual(getExtension().isActive, false);
  });

  it('activates when the user opens the Flux view', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.fluxGitops');
    const extension = getExtension();
    await waitFor('activation by opening the view', () => (extension.isActive ? true : undefined));
    assert.ok(extension.exports.registeredCommands.length > 0);
  });
});
