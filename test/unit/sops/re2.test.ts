import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateRe2 } from '../../../src/core/sops/re2';

function ok(p: string): RegExp {
  const r = translateRe2(p);
  assert.ok(r.ok, `${p} should translate: ${r.ok ? '' : r.error}`);
  return r.regex;
}
function bad(p: string, why: RegExp): void {
  const r = translateRe2(p);
  assert.equal(r.ok, false, `${p} should be reported`);
  if (!r.ok) assert.match(r.error, why);
}

void test('RE2 patterns with the same meaning pass through', () => {
  assert.ok(ok('^(data|stringData)$').test('stringData'));
  assert.ok(!ok('^(data|stringData)$').test('metadata'));
  assert.ok(ok('.*\\.enc\\.yaml$').test('a/b.enc.yaml'));
  assert.ok(ok('clusters/superbloom/.*/secrets.yaml').test('clusters/superbloom/apps/x/secrets.yaml'));
  assert.ok(ok('a{2,3}').test('aa'));
  assert.ok(ok('x/y').test('x/y'));
});

void test('RE2 constructs are translated when JavaScript reads them differently', () => {
  assert.ok(ok('(?P<env>prod|dev)/').test('prod/'));
  assert.ok(ok('\\.yaml\\z').test('a.yaml'));
  assert.ok(!ok('\\.yaml\\z').test('a.yaml\n'));
  assert.ok(ok('\\Aclusters').test('clusters/a'));
  assert.ok(ok('(?i)SECRET').test('secret.yaml'));
  assert.ok(ok('[[:digit:]]+').test('42'));
  assert.ok(ok('a\\sb').test('a b'));
  assert.ok(!ok('a\\sb').test('a\u00a0b'), 'RE2 \\s is ASCII only');
  assert.ok(ok('[]a]').test(']'), 'a leading ] is literal');
  assert.ok(ok('\\Q.*\\E').test('x.*'));
  assert.ok(!ok('\\Q.*\\E').test('xx'));
  assert.ok(ok('a{,2}').test('a{,2}'), 'literal brace as in RE2');
});

void test('patterns JavaScript would read differently and that do not translate are reported', () => {
  bad('a(?=b)', /look-around/);
  bad('(a)\\1', /backreference/);
  bad('a*+', /possessive|nested/);
  bad('x(?i)y', /inline flags/);
  bad('(?U)a+', /ungreedy/);
  bad('\\pL', /Unicode/);
  bad('[a', /closing/);
  bad('a{1001}', /1000/);
});
