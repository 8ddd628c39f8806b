import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseGitRemotes, readGitRemotes } from '../../../src/core/git/remotes';

test('parses every remote url and nothing else', () => {
  const config = [
    '[core]',
    '\trepositoryformatversion = 0',
    '[remote "origin"]',
    '\turl = git@github.com:example/homelab.git',
    '\tfetch = +refs/heads/*:refs/remotes/origin/*',
    '[branch "main"]',
    '\turl = not-a-remote',
    '[remote "mirror"]',
    '\turl = https://gitlab.example.com/example/homelab',
  ].join('\n');
  assert.deepEqual(parseGitRemotes(config), [
    'git@github.com:example/homelab.git',
    'https://gitlab.example.com/example/homelab',
  ]);
});

test('reads the remotes of the repository above a folder, and of a worktree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remotes-'));
  try {
    mkdirSync(join(dir, 'repo', '.git'), { recursive: true });
    mkdirSync(join(dir, 'repo', 'flux', 'clusters'), { recursive: true });
    writeFileSync(
      join(dir, 'repo', '.git', 'config'),
      '[remote "origin"]\n  url = ssh://git@host/org/repo.git\n',
    );
    assert.deepEqual(readGitRemotes(join(dir, 'repo', 'flux', 'clusters')), ['ssh://git@host/org/repo.git']);

    mkdirSync(join(dir, 'repo', '.git', 'worktrees', 'wt'), { recursive: true });
    writeFileSync(join(dir, 'repo', '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
    mkdirSync(join(dir, 'wt'));
    writeFileSync(join(dir, 'wt', '.git'), `gitdir: ${join(dir, 'repo', '.git', 'worktrees', 'wt')}\n`);
    assert.deepEqual(readGitRemotes(join(dir, 'wt')), ['ssh://git@host/org/repo.git']);

    assert.deepEqual(readGitRemotes('/'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
