import type { AwsFlow } from './run.ts';
export const packagesFlows: AwsFlow[] = [];
