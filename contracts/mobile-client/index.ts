/**
 * The typed client a mobile developer uses against Gatehouse: `customerio` for tracking and messaging (JWT),
 * `cards` for virtual cards (API token). The consumer pact tests drive exactly this client.
 */
import { CardsApi } from './cards.ts';
import { CustomerioApi } from './customerio.ts';
import { MailApi } from './mail.ts';
import { PackagesApi } from './packages.ts';
import { Transport, type ClientOptions } from './http.ts';

export { GatehouseError, type ClientOptions, type Credentials } from './http.ts';
export type * from './customerio.ts';
export type * from './cards.ts';
export type * from './mail.ts';
export type * from './packages.ts';

export interface GatehouseClient {
  customerio: CustomerioApi;
  cards: CardsApi;
  mail: MailApi;
  packages: PackagesApi;
}

export function gatehouseClient(opts: ClientOptions): GatehouseClient {
  const t = new Transport(opts);
  return { customerio: new CustomerioApi(t), cards: new CardsApi(t), mail: new MailApi(t), packages: new PackagesApi(t) };
}
