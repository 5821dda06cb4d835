/**
 * The answer every AWS JSON service's front end (coral) gives an `X-Amz-Target` naming no operation: HTTP 400,
 * `{"__type":"com.amazon.coral.service#UnknownOperationException"}` and no message — as dynalite records it from
 * DynamoDB (dynalite index.js, observed). SDKs strip the namespace and raise `UnknownOperationException`.
 */
export const UNKNOWN_OPERATION_TYPE = 'com.amazon.coral.service#UnknownOperationException';

export const unknownOperationError = () => ({ type: UNKNOWN_OPERATION_TYPE, status: 400, message: '' });
