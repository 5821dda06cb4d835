/**
 * Time to Live settings, which dynalite does not implement: kept here per table. AWS deletes expired items
 * lazily (typically within days), so reads may still return them — code reading a TTL'd table must compare the
 * TTL attribute with the current time itself, exactly as against real DynamoDB. We never delete items.
 */
export interface TtlSpec {
  attributeName: string;
  /** The table's CreationDateTime when TTL was set: a re-created table of the same name starts DISABLED. */
  tableCreated: number;
}

export class DynamoError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

// Coral error type names as DynamoDB sends them (observed responses; dynalite uses the same).
const VALIDATION = 'com.amazon.coral.validate#ValidationException';

export class TtlStore {
  private specs = new Map<string, TtlSpec>();

  describe(table: string, tableCreated: number): { TimeToLiveStatus: 'ENABLED' | 'DISABLED'; AttributeName?: string } {
    const spec = this.current(table, tableCreated);
    return spec ? { TimeToLiveStatus: 'ENABLED', AttributeName: spec.attributeName } : { TimeToLiveStatus: 'DISABLED' };
  }

  update(table: string, tableCreated: number, enabled: boolean, attributeName: string): void {
    const spec = this.current(table, tableCreated);
    // AWS refuses no-op transitions (UpdateTimeToLive API reference: "TimeToLive is already enabled/disabled").
    if (enabled && spec) throw new DynamoError(VALIDATION, 'TimeToLive is already enabled');
    if (!enabled && !spec) throw new DynamoError(VALIDATION, 'TimeToLive is already disabled');
    if (!enabled && spec && spec.attributeName !== attributeName) {
      throw new DynamoError(VALIDATION, 'Attribute name in TimeToLiveSpecification does not match the current TTL attribute');
    }
    if (enabled) this.specs.set(table, { attributeName, tableCreated });
    else this.specs.delete(table);
  }

  snapshot(): Record<string, string> {
    return Object.fromEntries([...this.specs].map(([t, s]) => [t, s.attributeName]));
  }

  reset(): void {
    this.specs.clear();
  }

  private current(table: string, tableCreated: number): TtlSpec | undefined {
    const spec = this.specs.get(table);
    return spec && spec.tableCreated === tableCreated ? spec : undefined;
  }
}

export { VALIDATION };
