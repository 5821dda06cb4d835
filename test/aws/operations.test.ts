/**
 * The README's table of served AWS JSON operations, the fakes' dispatch tables and the SDK tests must agree: an
 * operation added to a fake without a test, or listed in the README but not served, fails here.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ssmSdk from '@aws-sdk/client-ssm';
import * as smSdk from '@aws-sdk/client-secrets-manager';
import * as sqsSdk from '@aws-sdk/client-sqs';
import * as ddbSdk from '@aws-sdk/client-dynamodb';
import { SERVED_OPERATIONS as SSM } from '../../emulators/aws/ssm/routes.ts';
import { SERVED_OPERATIONS as SECRETS } from '../../emulators/aws/secretsmanager/routes.ts';
import { SERVED_OPERATIONS as SQS } from '../../emulators/aws/sqs/routes.ts';
import { SERVED_OPERATIONS as DYNAMODB } from '../../emulators/aws/dynamodb/routes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const testDir = path.join(root, 'test/aws');
const tests = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.ts') && f !== 'operations.test.ts').map((f) => ({ file: f, text: fs.readFileSync(path.join(testDir, f), 'utf8') }));

const services: [row: string, served: string[], sdk: Record<string, unknown>][] = [
  ['SSM', SSM, ssmSdk],
  ['Secrets Manager', SECRETS, smSdk],
  ['SQS', SQS, sqsSdk],
  ['DynamoDB', DYNAMODB, ddbSdk],
];

/** The backticked names in the "served (operations)" column of the README row for a service. */
function readmeServed(row: string): string[] {
  const line = readme.split('\n').find((l) => l.startsWith(`| ${row} |`));
  if (!line) throw new Error(`README has no row for ${row} in "What the fakes serve"`);
  const served = line.split('|')[2];
  return [...served.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
}

describe('served AWS JSON operations: README, fakes and SDK tests agree', () => {
  for (const [row, served, sdk] of services) {
    it(`${row}: the README lists exactly the operations the fake serves`, () => {
      expect([...readmeServed(row)].sort()).to.deep.equal([...served].sort());
    });

    it(`${row}: every served operation is an SDK v3 command with a test that sends it`, () => {
      const untested = served.filter((op) => {
        if (typeof sdk[`${op}Command`] !== 'function') throw new Error(`${op} is not an operation of the SDK client`);
        return !tests.some((t) => t.text.includes(`new ${op}Command(`));
      });
      expect(untested, `operations without a test in test/aws/`).to.deep.equal([]);
    });
  }
});
