/**
 * Method-by-method coverage of an official client: the test file declares one `describe` per method through
 * `method()`, and `checkCoverage()` compares those names with the methods the client really has, read from its
 * prototype chain at test time. A client upgrade that adds a method fails the suite until the method has a test.
 */
import { expect } from 'chai';

/** Public methods on a prototype chain (own names of each prototype up to Object.prototype). */
export function methodsOf(proto: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name !== 'constructor' && typeof (p as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

export interface MethodCoverage {
  /** Declare the tests of one method (a `describe` named `client.method`). */
  method(name: string, body: () => void): void;
  /** One `it` that fails when a method of the client has no tests, or a test names a method it lacks. */
  checkCoverage(): void;
  covered(): string[];
}

/**
 * `internal` lists helpers the client keeps on its prototype but does not offer (TypeScript `private` methods,
 * response parsers); each is named here, so a new public method is never mistaken for one.
 */
export function methodCoverage(client: string, proto: () => object, internal: string[] = []): MethodCoverage {
  const covered = new Set<string>();
  return {
    method(name, body) {
      covered.add(name);
      describe(`${client}.${name}`, body);
    },
    checkCoverage() {
      it(`has a test for every method ${client} exposes`, () => {
        const exposed = methodsOf(proto()).filter((m) => !internal.includes(m));
        expect(exposed.filter((m) => !covered.has(m)), 'methods without a test').to.deep.equal([]);
        expect([...covered].filter((m) => !exposed.includes(m)), 'tests naming a method the client lacks').to.deep.equal([]);
      });
    },
    covered: () => [...covered].sort(),
  };
}
