// `npx tsx bench/dynalite-types.ts`: dynalite's checkTypes against its compiled form
// (local/services/dynalite-types.ts) on the requests the fast path answers, as the workflows make
// them: microseconds a request, warm (the last two of four rounds), each check on fresh copies.
import { actionValidations, validations } from '../local/services/dynalite-modules.ts';
import { compileTypes, type TypeSpec } from '../local/services/dynalite-types.ts';

type Request = Record<string, unknown>;

const { checkTypes } = validations as { checkTypes(data: unknown, types: Record<string, TypeSpec>): Request };
const actions = actionValidations as Record<'getItem' | 'batchWriteItem' | 'batchGetItem', { types: Record<string, TypeSpec> }>;
const TABLE = 'transfer-records-table';
const item = (i: number) => ({ MessageId: { S: `id-${i}` }, Message: { S: `Message ${i}` }, ExpiresAt: { N: '1797161656' } });

const CASES: { name: string; types: Record<string, TypeSpec>; request: () => Request; count: number }[] = [
  { name: 'GetItem', types: actions.getItem.types, request: () => ({ TableName: TABLE, Key: { MessageId: { S: 'id-1' } } }), count: 20_000 },
  {
    name: 'BatchWriteItem, 25 items',
    types: actions.batchWriteItem.types,
    request: () => ({ RequestItems: { [TABLE]: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: item(i) } })) } }),
    count: 2_000,
  },
  {
    name: 'BatchGetItem, 100 keys',
    types: actions.batchGetItem.types,
    request: () => ({ RequestItems: { [TABLE]: { Keys: Array.from({ length: 100 }, (_, i) => ({ MessageId: { S: `id-${i}` } })), ConsistentRead: true } } }),
    count: 1_000,
  },
];

/** Microseconds a request, over `count` fresh copies. */
function perRequest(check: (request: Request) => unknown, make: () => Request, count: number): number {
  const requests = Array.from({ length: count }, make);
  const started = performance.now();
  for (const request of requests) check(request);
  return ((performance.now() - started) / count) * 1000;
}

console.log('| request | dynalite\'s checkTypes | compiled |');
console.log('|---|---:|---:|');
for (const { name, types, request, count } of CASES) {
  const compiled = compileTypes(types);
  const rounds: [number, number][] = [];
  for (let round = 0; round < 4; round++) {
    rounds.push([perRequest((data) => checkTypes(data, types), request, count), perRequest(compiled, request, count)]);
  }
  const warm = rounds.slice(2);
  const range = (index: 0 | 1) => {
    const values = warm.map((round) => round[index]).sort((a, b) => a - b);
    return `${values[0]!.toFixed(1)}–${values.at(-1)!.toFixed(1)}`;
  };
  console.log(`| ${name} | ${range(0)} µs | ${range(1)} µs |`);
}
