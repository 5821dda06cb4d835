/** The restore job on the queue: one message per package, written by the route and read by the worker. */
export interface RestoreMessage {
  organizationId: number;
  datasetId: number;
  packageId: number;
  nodeId: string;
  /** Pennsieve user id of whoever asked (audit trail). */
  userId: number;
}

export const encodeRestoreMessage = (m: RestoreMessage): string => JSON.stringify(m);

/** Parse a message body; undefined when it is not a restore job (such a message can never succeed). */
export function parseRestoreMessage(body: string): RestoreMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  const m = v as Partial<RestoreMessage>;
  const ints = [m.organizationId, m.datasetId, m.packageId, m.userId];
  if (!v || typeof v !== 'object' || !ints.every((n) => Number.isSafeInteger(n) && (n as number) > 0) || typeof m.nodeId !== 'string') return undefined;
  return m as RestoreMessage;
}
