/**
 * SQS messages as Lambda receives them: the event-source mapping turns ReceiveMessage output into this shape
 * (AWS Lambda docs, "Using Lambda with Amazon SQS": example standard queue message event).
 */
import type { Message } from '@aws-sdk/client-sqs';

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsEventRecord[];
}

/** What a handler may answer; with ReportBatchItemFailures, the ids of the records that failed. */
export interface SqsBatchResponse {
  batchItemFailures?: { itemIdentifier?: string }[];
}

export function toRecord(m: Message, queueArn: string, region: string): SqsEventRecord {
  const messageAttributes: SqsEventRecord['messageAttributes'] = {};
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    // Lambda writes attribute values in camelCase, binary as base64, with empty list fields.
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType ?? 'String',
    };
  }
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: { ...(m.Attributes ?? {}) } as Record<string, string>,
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records to delete after an invocation. A throw fails the whole batch; so does a failure entry whose id
 * is empty or not in the batch (Lambda docs, "Reporting batch item failures": invalid identifiers fail the batch).
 */
export function succeeded(records: SqsEventRecord[], outcome: { threw: true } | { threw: false; response: unknown }, reportFailures: boolean): SqsEventRecord[] {
  if (outcome.threw) return [];
  if (!reportFailures) return records;
  const failures = (outcome.response as SqsBatchResponse | undefined)?.batchItemFailures ?? [];
  const ids = new Set(records.map((r) => r.messageId));
  if (failures.some((f) => !f?.itemIdentifier || !ids.has(f.itemIdentifier))) return [];
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  return records.filter((r) => !failed.has(r.messageId));
}
