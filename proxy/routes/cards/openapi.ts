/**
 * The cards API's OpenAPI 3.1 document (contracts/openapi/cards.json, imported so a Lambda bundle carries it),
 * served at GET /openapi.json. The response checker over it lives in openapi-check.ts (tests and contracts only).
 */
import spec from '../../../contracts/openapi/cards.json' with { type: 'json' };
import type { Handler } from '../../core/types.ts';

export const cardsOpenApi = spec as unknown as OpenApiDocument;

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
}

export const serveOpenApi: Handler = async () => ({ status: 200, body: cardsOpenApi });
