/** The repository model on each roots rule fixture (see ruleFixtures.ts; flux confirms them in test/conformance/rules.test.ts). */
import { test } from 'node:test';
import { scanRepository } from '../../../src/core/repo';
import { assertRule, materialise, RULE_FIXTURES } from './ruleFixtures';
import { removeTemp } from './helpers';

for (const f of RULE_FIXTURES.filter((x) => x.stage === 'roots')) {
  test(`${f.id}: ${f.rule}`, () => {
    const dir = materialise(f);
    try {
      assertRule(f, scanRepository([dir]), dir);
    } finally {
      removeTemp(dir);
    }
  });
}
