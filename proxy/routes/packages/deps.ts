import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Deps } from '../../core/types.ts';
import type { Db } from '../../db/driver.ts';
import type { PackagesConfig } from './config.ts';

export interface PackagesServices {
  cfg: PackagesConfig;
  /** The database, opened in the background at cold start: routes wait for it, the port does not. */
  db: () => Promise<Db>;
  s3: S3Client;
  sqs: SQSClient;
  /** PEM private key for CloudFront signed URLs, read from SSM once at cold start. */
  cloudfrontPrivateKey: string;
}

/** The group's services, registered under `deps.services.packages` by the function that builds the app. */
export const packagesOf = (deps: Deps): PackagesServices => deps.services.packages as PackagesServices;
