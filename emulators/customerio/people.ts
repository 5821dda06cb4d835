/**
 * People in the fake workspace: how an identifier finds a person, identify/delete/suppress rules and devices.
 * No HTTP here. Deleted and suppressed people stay in the store (flagged) so tests and admins can see them.
 */
import type { SeedPerson } from './seed.ts';
import type { Attributes, Device, IdentifierKind, Person } from './types.ts';

export interface AttributeChange {
  name: string;
  from: unknown;
  to: unknown;
}

type IndexedKey = 'id' | 'email' | 'cioId';

/** cio_ids are a hex sequence, so their numeric order is creation order. */
const byCreation = (a: Person, b: Person): number => parseInt(a.cioId, 16) - parseInt(b.cioId, 16);

/** Attributes the Track API treats as instructions rather than profile data. */
const RESERVED = new Set(['_update', 'cio_relationships', 'created_at']);

export class People {
  private people: Person[] = [];
  /** Everyone (deleted too) by each identifier, in creation order: lookups stay O(1) as the workspace grows. */
  private readonly byKey = { id: new Map<string, Person[]>(), email: new Map<string, Person[]>(), cioId: new Map<string, Person[]>() };
  /** Suppressed identifiers (ids and emails): Track calls for them are accepted and ignored. */
  private suppressedIds = new Set<string>();
  private nextCio = 0;

  constructor(private readonly now: () => number) {}

  load(seed: SeedPerson[]): void {
    this.people = [];
    for (const m of Object.values(this.byKey)) m.clear();
    this.suppressedIds.clear();
    this.nextCio = 0;
    for (const s of seed) {
      const p = this.create(s.id, s.email, s.created_at);
      p.attributes = { ...s.attributes };
      p.devices = s.devices.map((d) => ({ ...d, attributes: { ...d.attributes } }));
      if (s.suppressed) this.suppress(p);
    }
  }

  all(): Person[] {
    return this.people;
  }

  /** Customer.io infers the identifier type from its shape: `cio_` prefix, an `@`, or else an id (Track API v1 docs, identifier parameter). */
  static kindOf(identifier: string): IdentifierKind {
    if (identifier.startsWith('cio_')) return 'cio_id';
    return identifier.includes('@') ? 'email' : 'id';
  }

  find(identifier: string, kind: IdentifierKind = People.kindOf(identifier)): Person | undefined {
    const value = kind === 'cio_id' ? identifier.replace(/^cio_/, '') : identifier;
    const key = kind === 'cio_id' ? 'cioId' : kind;
    return this.byKey[key].get(value)?.find((p) => !p.deleted);
  }

  isSuppressed(identifier: string): boolean {
    return this.suppressedIds.has(identifier);
  }

  /** Create or update; `undefined` when the identifier is suppressed or `_update` forbids creating. */
  identify(identifier: string, attrs: Attributes): { person: Person; changes: AttributeChange[] } | undefined {
    if (this.isSuppressed(identifier) || (typeof attrs.email === 'string' && this.isSuppressed(attrs.email))) return undefined;
    const kind = People.kindOf(identifier);
    let person = this.find(identifier, kind);
    if (!person) {
      if (attrs._update === true || kind === 'cio_id') return undefined; // _update: only touch existing people
      const createdAt = typeof attrs.created_at === 'number' ? attrs.created_at : this.now();
      person = kind === 'email' ? this.create(undefined, identifier, createdAt) : this.create(identifier, undefined, createdAt);
    }
    return { person, changes: this.apply(person, attrs) };
  }

  /** Find or create (events and transactional sends create people they name, as in email-or-id workspaces). */
  ensure(identifier: string, kind: IdentifierKind = People.kindOf(identifier)): Person | undefined {
    if (this.isSuppressed(identifier)) return undefined;
    const found = this.find(identifier, kind);
    if (found || kind === 'cio_id') return found;
    return kind === 'email' ? this.create(undefined, identifier, this.now()) : this.create(identifier, undefined, this.now());
  }

  /** Delete: the profile's data goes (attributes, devices); the record stays, flagged, for the suppression list. */
  remove(person: Person): void {
    person.deleted = true;
    person.attributes = {};
    person.devices = [];
    person.updatedAt = this.now();
  }

  /**
   * A deleted (not suppressed) person's identifiers are forgotten too: the tombstone keeps only its cio_id, and the
   * id or email may name a new person ("you can reuse a deleted person's identifier": Customer.io docs, "Delete
   * people and suppress profile IDs").
   */
  forgetIdentifiers(person: Person): void {
    for (const key of ['id', 'email'] as const) {
      const value = person[key];
      if (value === undefined) continue;
      const rest = this.byKey[key].get(value)?.filter((p) => p !== person) ?? [];
      if (rest.length) this.byKey[key].set(value, rest);
      else this.byKey[key].delete(value);
      person[key] = undefined;
    }
  }

  /** Suppress = delete the person and refuse their identifiers from now on (Track API "Suppress a person"). */
  suppress(person: Person): void {
    person.suppressed = true;
    this.remove(person);
    for (const id of [person.id, person.email]) if (id) this.suppressedIds.add(id);
  }

  unsuppress(identifier: string): void {
    const people = this.people.filter((p) => p.suppressed && (p.id === identifier || p.email === identifier || `cio_${p.cioId}` === identifier));
    for (const p of people) {
      p.suppressed = false;
      for (const id of [p.id, p.email]) if (id) this.suppressedIds.delete(id);
    }
    this.suppressedIds.delete(identifier);
  }

  /** Set attributes (and `id`/`email`) on a person that exists, outside the Track API's suppression rules (a merge). */
  update(person: Person, attrs: Attributes): AttributeChange[] {
    return this.apply(person, attrs);
  }

  upsertDevice(person: Person, device: Device): void {
    const i = person.devices.findIndex((d) => d.id === device.id);
    if (i < 0) person.devices.push(device);
    else person.devices[i] = { ...person.devices[i], ...device, attributes: { ...person.devices[i].attributes, ...device.attributes } };
    person.updatedAt = this.now();
  }

  deleteDevice(person: Person, deviceId: string): boolean {
    const before = person.devices.length;
    person.devices = person.devices.filter((d) => d.id !== deviceId);
    return person.devices.length < before;
  }

  private create(id: string | undefined, email: string | undefined, createdAt: number): Person {
    // cio_ids look like Customer.io's: hex, per-workspace sequence; deterministic so a reset reproduces them.
    const cioId = (0xa3000001 + this.nextCio++).toString(16);
    const person: Person = { cioId, id, email, attributes: {}, createdAt, updatedAt: createdAt, devices: [], suppressed: false, deleted: false };
    this.people.push(person);
    for (const key of ['id', 'email', 'cioId'] as const) this.index(person, key);
    return person;
  }

  private index(person: Person, key: IndexedKey): void {
    const value = person[key];
    if (value === undefined) return;
    const list = this.byKey[key].get(value);
    if (!list) this.byKey[key].set(value, [person]);
    else {
      list.push(person);
      list.sort(byCreation); // an identifier moved to an older person must still find the oldest first
    }
  }

  private reindex(person: Person, key: 'id' | 'email', value: string): void {
    const old = person[key];
    if (old !== undefined) {
      const rest = this.byKey[key].get(old)?.filter((p) => p !== person) ?? [];
      if (rest.length) this.byKey[key].set(old, rest);
      else this.byKey[key].delete(old);
    }
    person[key] = value;
    this.index(person, key);
  }

  private apply(person: Person, attrs: Attributes): AttributeChange[] {
    const changes: AttributeChange[] = [];
    for (const [name, to] of Object.entries(attrs)) {
      if (RESERVED.has(name)) continue;
      const from = name === 'id' || name === 'email' ? person[name] : person.attributes[name];
      if (JSON.stringify(from) === JSON.stringify(to)) continue;
      if (name === 'id' || name === 'email') this.reindex(person, name, String(to));
      else if (to === null) delete person.attributes[name]; // a null value removes the attribute
      else person.attributes[name] = to;
      changes.push({ name, from, to });
    }
    person.updatedAt = this.now();
    return changes;
  }
}
