/**
 * What dynalite must never see. Its type check drops a `null` struct member (as DynamoDB treats an explicit null
 * as absent) but keeps a `null` map value or list element, and its validators then call `Object.keys(null)` —
 * a TypeError, not an answer. DynamoDB itself refuses such a payload, so the edge does, before dynalite runs.
 */

/** Where the first null inside a map or list is (e.g. `Item.pk`), or undefined when there is none. */
export function nullInside(input: Record<string, unknown>): string | undefined {
  const stack: [value: unknown, path: string, depth: number][] = Object.entries(input).map(([k, v]) => [v, k, 1]);
  while (stack.length) {
    const [value, path, depth] = stack.pop()!;
    if (value === null) {
      // A top-level member set to null is absent (dynalite and DynamoDB agree); deeper, it may be a map value.
      if (depth > 1) return path;
      continue;
    }
    if (typeof value !== 'object') continue;
    for (const [k, v] of Object.entries(value)) stack.push([v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, depth + 1]);
  }
  return undefined;
}
