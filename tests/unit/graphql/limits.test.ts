import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { depthLimit } from '../../../src/graphql/limits';
import { variableField } from '../../../src/graphql/variable-field';

const schema = buildSchema(`
  type Node { id: ID! child: Node name: String }
  type Query { root: Node }
`);

function nested(levels: number): string {
  let sel = 'id';
  for (let i = 1; i < levels; i += 1) sel = `child { ${sel} }`;
  return `{ root { ${sel} } }`;
}

function errors(query: string, max = 12): string[] {
  return validate(schema, parse(query), [...specifiedRules, depthLimit(max)]).map((e) => e.message);
}

describe('depthLimit', () => {
  it('allows exactly the limit', () => {
    expect(errors(nested(11))).toEqual([]); // root + 11 levels = depth 12
  });

  it('refuses one level more, with a code and the depth', () => {
    const result = validate(schema, parse(nested(12)), [depthLimit(12)]);
    expect(result).toHaveLength(1);
    expect(result[0]!.message).toBe('query depth 13 exceeds the limit of 12');
    expect(result[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'DEPTH_LIMIT' });
  });

  it('follows fragments and inline fragments', () => {
    const q = `{ root { ...A } } fragment A on Node { child { ... on Node { child { ...B } } } } fragment B on Node { child { id } }`;
    expect(validate(schema, parse(q), [depthLimit(5)])).toHaveLength(0);
    expect(validate(schema, parse(q), [depthLimit(4)])).toHaveLength(1);
  });

  it('does not loop on a fragment cycle (graphql reports the cycle itself)', () => {
    const q = `{ root { ...A } } fragment A on Node { child { ...A } }`;
    expect(() => validate(schema, parse(q), [depthLimit(12)])).not.toThrow();
  });
});

describe('variableField', () => {
  it('names the missing input field', () => {
    expect(
      variableField(
        'Variable "$input" got invalid value { a: 1 }; Field "nameZh" of required type "String!" was not provided.',
      ),
    ).toBe('input.nameZh');
  });
  it('names a nested path', () => {
    expect(
      variableField(
        'Variable "$input" got invalid value "x" at "input.tiers[1].ratio"; Expected type "Float".',
      ),
    ).toBe('input.tiers[1].ratio');
  });
  it('falls back to the variable', () => {
    expect(variableField('Variable "$id" of required type "ID!" was not provided.')).toBe('id');
  });
});
