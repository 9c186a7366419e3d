// The pieces every part of the OpenAPI document is written with.
import { z } from 'zod';

/** The JSON Schema of a zod schema, as a request (`input`) or an answer (`output`). */
export const jsonSchema = (s: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any' });

/** A body of JSON described by the named component schema. */
export const json = (name: string) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
});

export const errorResponse = (description: string) => ({ description, ...json('Error') });

/** The answers any API route may give besides its own. */
export const errors = {
  '400': errorResponse('Invalid input (names each bad field)'),
  '401': errorResponse('Missing or wrong API token'),
  '404': errorResponse('Not found'),
};

export const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];

/** Query parameters from a zod object schema. */
export function queryParams(s: z.ZodObject) {
  const { properties } = jsonSchema(s) as { properties?: Record<string, object> };
  return Object.entries(properties ?? {}).map(([name, schema]) => ({ name, in: 'query', schema }));
}
