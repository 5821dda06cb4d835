/** The Lambda context object the Node.js runtime passes (docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html). */
import { randomBytes, randomUUID } from 'node:crypto';
import { ACCOUNT_ID, REGION } from './events.ts';

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  /** A string in the Node.js runtime, e.g. "128". */
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
}

/** One log stream per execution environment: "2024/05/01/[$LATEST]<32 hex>". */
export function newLogStreamName(now = new Date()): string {
  return `${now.toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export function createContext(fn: { name: string; memoryMb: number; logStreamName: string }, deadline: number): LambdaContext {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: fn.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
