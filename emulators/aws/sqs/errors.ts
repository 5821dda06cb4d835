/**
 * SQS errors in the AWS JSON protocol's shape: body `{"__type":"com.amazonaws.sqs#<Name>","message":…}` plus the
 * `x-amzn-query-error: <query code>;Sender` header that query-compatible SDKs read to pick the error class
 * (SQS Developer Guide, "Interpreting Amazon SQS JSON API responses").
 */
import { UNKNOWN_OPERATION_TYPE } from '../unknown-operation.ts';

export class SqsError extends Error {
  readonly type: string;
  readonly headers: Record<string, string>;
  /** `name` is a shape name in SQS's namespace, or a full `namespace#Name`. */
  constructor(name: string, queryCode: string, message: string, readonly status = 400) {
    super(message);
    this.type = name.includes('#') ? name : `com.amazonaws.sqs#${name}`;
    this.headers = { 'x-amzn-query-error': `${queryCode};Sender` };
  }
}

// Names and query codes from the SQS API model (awsQueryError traits) and the API reference's error lists.
export const errors = {
  queueDoesNotExist: () => new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.'),
  queueNameExists: (name: string, attr: string) =>
    new SqsError('QueueNameExists', 'QueueAlreadyExists', `A queue already exists with the same name and a different value for attribute ${attr}`),
  invalidAttributeName: (name: string) => new SqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`),
  invalidAttributeValue: (name: string, reason: string) =>
    new SqsError('InvalidAttributeValue', 'InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${reason}`),
  invalidParameter: (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message),
  missingParameter: (message: string) => new SqsError('MissingParameter', 'MissingParameter', message),
  invalidMessageContents: () => new SqsError('InvalidMessageContents', 'InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF'),
  receiptHandleIsInvalid: (h: string) =>
    new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${h.slice(0, 64)}" is not a valid receipt handle.`),
  messageNotInflight: () => new SqsError('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.'),
  emptyBatch: () => new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.'),
  tooManyEntries: (n: number) =>
    new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${n}.`),
  idsNotDistinct: (id: string) => new SqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', `Id ${id} repeated.`),
  invalidBatchEntryId: () =>
    new SqsError('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.'),
  // Coral's UnknownOperationException (unknown-operation.ts) with the query-era code SQS documents for an action it
  // does not know, InvalidAction (SQS API reference, Common Errors), which query-compatible SDKs raise.
  unknownOperation: () =>
    new SqsError(UNKNOWN_OPERATION_TYPE, 'InvalidAction', 'The action or operation requested is invalid. Verify that the action is typed correctly.'),
};
