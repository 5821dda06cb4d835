import type { Deps } from '../../core/types.ts';
import type { ApiTokenStore } from './api-tokens.ts';
import type { ExtendClient } from './client.ts';
import type { CardsConfig } from './config.ts';

export interface CardsServices {
  cfg: CardsConfig;
  extend: ExtendClient;
  tokens: ApiTokenStore;
}

/** The group's services, registered under `deps.services.cards` by the function that builds the app. */
export const cardsOf = (deps: Deps): CardsServices => deps.services.cards as CardsServices;
