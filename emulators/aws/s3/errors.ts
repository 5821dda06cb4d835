/**
 * S3 errors as values: a stable code, the HTTP status S3 uses and its message text.
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (List of error codes).
 */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra elements S3 adds to the <Error> body (BucketName, Key, UploadId …). */
    readonly extra: Record<string, string> = {},
    /** Extra response headers (x-amz-delete-marker on a deleted key …). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Extra = Record<string, string>;
const make = (code: string, status: number, message: string) => (extra: Extra = {}, headers: Record<string, string> = {}) => new S3Error(code, status, message, extra, headers);

export const errors = {
  NoSuchBucket: make('NoSuchBucket', 404, 'The specified bucket does not exist'),
  NoSuchKey: make('NoSuchKey', 404, 'The specified key does not exist.'),
  NoSuchVersion: make('NoSuchVersion', 404, 'The specified version does not exist.'),
  NoSuchUpload: make('NoSuchUpload', 404, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.'),
  NoSuchCORSConfiguration: make('NoSuchCORSConfiguration', 404, 'The CORS configuration does not exist'),
  BucketAlreadyExists: make('BucketAlreadyExists', 409, 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.'),
  BucketAlreadyOwnedByYou: make('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.'),
  BucketNotEmpty: make('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty'),
  InvalidBucketName: make('InvalidBucketName', 400, 'The specified bucket is not valid.'),
  InvalidPart: make('InvalidPart', 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."),
  InvalidPartOrder: make('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.'),
  EntityTooSmall: make('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.'),
  InvalidRange: make('InvalidRange', 416, 'The requested range is not satisfiable'),
  ConditionalRequestConflict: make('ConditionalRequestConflict', 409, 'A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.'),
  PreconditionFailed: make('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'),
  MalformedXML: make('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema'),
  BadDigest: make('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.'),
  InvalidDigest: make('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.'),
  XAmzContentSHA256Mismatch: make('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed."),
  IncompleteBody: make('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.'),
  MethodNotAllowed: make('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.'),
  NotImplemented: make('NotImplemented', 501, 'A header you provided implies functionality that is not implemented'),
  AccessDenied: make('AccessDenied', 403, 'Access Denied'),
  InternalError: make('InternalError', 500, 'We encountered an internal error. Please try again.'),
};

/** Errors whose message varies with the request. */
export function invalidArgument(message: string, extra: Extra = {}): S3Error {
  return new S3Error('InvalidArgument', 400, message, extra);
}

export function invalidRequest(message: string): S3Error {
  return new S3Error('InvalidRequest', 400, message);
}

export function badChecksum(algorithm: string): S3Error {
  // Observed S3 text for a wrong x-amz-checksum-* value.
  return new S3Error('BadDigest', 400, `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
}
