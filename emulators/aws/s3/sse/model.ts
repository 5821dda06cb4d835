/**
 * What a stored object records about its encryption, and a bucket's default encryption configuration. Plain JSON
 * (persisted with the records): keys never appear here unwrapped.
 */

export interface Segment {
  /** Plaintext bytes in this segment. */
  size: number;
  /** 8 random bytes (base64) that, with the chunk index, make each chunk's GCM nonce. */
  nonce: string;
}

export interface SseRecord {
  /** AES256: SSE-S3, the data key wrapped by the edge's master key. SSE-C: wrapped by the customer's key. */
  type: 'AES256' | 'SSE-C';
  /** The object's random data key, AES-256-GCM-wrapped: base64 of iv ‖ ciphertext ‖ tag. */
  wrappedKey: string;
  /** SSE-C: base64 MD5 of the customer's key, echoed as x-amz-server-side-encryption-customer-key-MD5. */
  keyMd5?: string;
  /** The object's bytes as encrypted segments, in order: one for a PUT, one per part of a multipart upload. */
  segments: Segment[];
}

/** PutBucketEncryption's one rule (API_ServerSideEncryptionRule.html). */
export interface BucketEncryption {
  /** ApplyServerSideEncryptionByDefault: absent, no default (objects are stored as sent unless a request asks). */
  algorithm?: 'AES256';
  bucketKeyEnabled?: boolean;
  /** BlockedEncryptionTypes: SSE-C refused on writes (the default for buckets created since April 2026). */
  blockSseC: boolean;
}
