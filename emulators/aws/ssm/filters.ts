/** The two filter languages of SSM's listing operations, as predicates over parameter versions. */
import type { ParameterVersion } from './state.ts';
import { obj, str, strList } from './input.ts';

type Input = Record<string, unknown>;

/** `ParameterFilters` (Key, Option, Values): Name/Type/KeyId/Tier/DataType/Path with Equals, BeginsWith, Recursive, OneLevel. */
export function parameterFilters(i: Input): (p: ParameterVersion) => boolean {
  const filters = (Array.isArray(i.ParameterFilters) ? i.ParameterFilters : []).map((f) => {
    const o = obj(f, 'ParameterFilters');
    return { key: str(o, 'Key', true)!, option: str(o, 'Option') ?? 'Equals', values: strList(o, 'Values', 0, 50) };
  });
  const field = (p: ParameterVersion, key: string): string | undefined =>
    ({ Name: p.name, Type: p.type, KeyId: p.keyId, Tier: p.tier, DataType: p.dataType })[key];
  return (p) =>
    filters.every(({ key, option, values }) => {
      if (key === 'Path') {
        return values.some((v) => {
          const prefix = v.endsWith('/') ? v : `${v}/`;
          return p.name.startsWith(prefix) && (option === 'Recursive' || !p.name.slice(prefix.length).includes('/'));
        });
      }
      const actual = field(p, key);
      if (actual === undefined) return false;
      return values.some((v) => (option === 'BeginsWith' ? actual.startsWith(v) : actual === v));
    });
}

/** The older `Filters` (Key: Name | Type | KeyId, Values) of DescribeParameters: Name matches by prefix. */
export function legacyFilters(i: Input): (p: ParameterVersion) => boolean {
  const filters = (Array.isArray(i.Filters) ? i.Filters : []).map((f) => {
    const o = obj(f, 'Filters');
    return { key: str(o, 'Key', true)!, values: strList(o, 'Values', 1, 50) };
  });
  return (p) =>
    filters.every(({ key, values }) =>
      values.some((v) => (key === 'Name' ? p.name.startsWith(v) : key === 'Type' ? p.type === v : key === 'KeyId' ? p.keyId === v : false)),
    );
}
