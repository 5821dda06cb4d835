/**
 * Queue attributes SQS lets you set, their defaults and ranges (SetQueueAttributes / CreateQueue API reference).
 * One table serves validation, defaults and GetQueueAttributes.
 */
import { errors } from './errors.ts';

interface Rule {
  default?: string;
  min?: number;
  max?: number;
  fifoOnly?: boolean;
  createOnly?: boolean;
}

const RULES: Record<string, Rule> = {
  DelaySeconds: { default: '0', min: 0, max: 900 },
  // 1 MiB maximum since August 2025 (SQS "What's new"); 256 KiB remains the default.
  MaximumMessageSize: { default: '262144', min: 1024, max: 1048576 },
  MessageRetentionPeriod: { default: '345600', min: 60, max: 1209600 },
  ReceiveMessageWaitTimeSeconds: { default: '0', min: 0, max: 20 },
  VisibilityTimeout: { default: '30', min: 0, max: 43200 },
  RedrivePolicy: {},
  RedriveAllowPolicy: {},
  Policy: {},
  KmsMasterKeyId: {},
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86400 },
  SqsManagedSseEnabled: { default: 'true' },
  FifoQueue: { createOnly: true },
  ContentBasedDeduplication: { fifoOnly: true },
  DeduplicationScope: { fifoOnly: true },
  FifoThroughputLimit: { fifoOnly: true },
};

export const DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(RULES).filter(([, r]) => r.default !== undefined).map(([k, r]) => [k, r.default!]),
);

/** Attributes SQS computes; GetQueueAttributes answers them, Set/Create reject them. */
export const COMPUTED = [
  'QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp',
];

export function isKnownAttribute(name: string): boolean {
  return name in RULES || COMPUTED.includes(name);
}

export function checkAttributes(
  attrs: Record<string, string>,
  ctx: { creating: boolean; fifo: boolean; resolveArn: (arn: string) => unknown },
): void {
  for (const [name, value] of Object.entries(attrs)) {
    const rule = RULES[name];
    if (!rule || (rule.fifoOnly && !ctx.fifo) || (rule.createOnly && !ctx.creating)) throw errors.invalidAttributeName(name);
    if (typeof value !== 'string') throw errors.invalidAttributeValue(name, 'must be a string');
    if (rule.min !== undefined) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < rule.min || n > rule.max!) {
        throw errors.invalidAttributeValue(name, `must be an integer between ${rule.min} and ${rule.max}.`);
      }
    }
    if (name === 'RedrivePolicy' && value !== '') checkRedrive(value, ctx.resolveArn);
  }
}

function checkRedrive(value: string, resolveArn: (arn: string) => unknown): void {
  let p: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    p = JSON.parse(value);
  } catch {
    throw errors.invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  const count = Number(p.maxReceiveCount);
  if (typeof p.deadLetterTargetArn !== 'string' || !Number.isInteger(count) || count < 1 || count > 1000) {
    // AWS requires both fields; maxReceiveCount is 1..1000 (SQS dead-letter queue docs).
    throw errors.invalidAttributeValue('RedrivePolicy', 'Redrive policy does not contain mandatory attribute: deadLetterTargetArn or maxReceiveCount between 1 and 1000.');
  }
  if (!resolveArn(p.deadLetterTargetArn)) throw errors.invalidAttributeValue('RedrivePolicy', 'Dead letter target does not exist.');
}
