import type { Deps } from '../../core/types.ts';
import type { CustomerioClient } from './client.ts';
import type { CustomerioConfig } from './config.ts';

export interface CustomerioServices {
  cio: CustomerioClient;
  cfg: CustomerioConfig;
}

/** The group's services, registered under `deps.services.customerio` by the function that builds the app. */
export const cioOf = (deps: Deps): CustomerioServices => deps.services.customerio as CustomerioServices;
