// Loaded by the VS Code extension host as extensionTestsPath: runs the mocha suites of the
// folder the harness names in FLUX_GITOPS_TEST_SUITE. A rejected promise fails the run.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function collectTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...collectTests(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

export function run(): Promise<void> {
  const suiteDir = process.env.FLUX_GITOPS_TEST_SUITE;
  if (!suiteDir)
    return Promise.reject(
      new Error('FLUX_GITOPS_TEST_SUITE is not set (use test/harness/run-ext-tests.mjs)'),
    );
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000, reporter: 'spec' });
  if (process.env.FLUX_GITOPS_TEST_GREP) mocha.grep(process.env.FLUX_GITOPS_TEST_GREP);
  const files = collectTests(suiteDir);
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js in ${suiteDir}`));
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
