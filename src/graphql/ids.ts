import { badInput } from '../shared/errors';

/** Parses a GraphQL ID of an integer-keyed entity; a malformed one is BAD_USER_INPUT on `field`. */
export function parseId(id: string, field: string): number {
  if (!/^[1-9]\d{0,9}$/.test(id) || Number(id) > 2147483647)
    throw badInput(field, `"${id}" is not a valid id`);
  return Number(id);
}
