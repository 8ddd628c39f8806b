import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageRecipientsIn, describeNeededAgeKey } from '../../../src/core/sops/age';
import { newKey } from './helpers';

void test('the recipients of a SOPS file are read from its metadata, in YAML, JSON and dotenv alike', async () => {
  const [a, b] = await Promise.all([newKey(), newKey()]);
  const yaml = `data: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  age:\n    - recipient: ${a.recipient}\n      enc: |\n        -----BEGIN AGE ENCRYPTED FILE-----\n    - recipient: ${b.recipient}\n`;
  assert.deepEqual(ageRecipientsIn(yaml), [a.recipient, b.recipient]);
  assert.deepEqual(ageRecipientsIn(`{"sops":{"age":[{"recipient":"${a.recipient}"}]}}`), [a.recipient]);
  assert.deepEqual(ageRecipientsIn(`sops_age__list_0__map_recipient=${b.recipient}\n`), [b.recipient]);
  assert.deepEqual(ageRecipientsIn(`${a.recipient} ${a.recipient}`), [a.recipient], 'each once');
  assert.deepEqual(ageRecipientsIn('password: hunter2\n'), []);
});

void test('the message names the key a file needs', async () => {
  const [a, b] = await Promise.all([newKey(), newKey()]);
  assert.equal(describeNeededAgeKey([a.recipient]), `the age key of ${a.recipient}`);
  assert.equal(
    describeNeededAgeKey([a.recipient, b.recipient]),
    `an age key of one of ${a.recipient}, ${b.recipient}`,
  );
  assert.equal(describeNeededAgeKey([]), 'the key the file was encrypted for');
});
