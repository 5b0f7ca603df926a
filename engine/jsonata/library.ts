// The jsonata package, required at its first use: a run whose definitions hold no JSONata (a
// JSONPath workflow, most conformance cases) does not load it. It and re2js (../patterns.ts) were
// about a tenth of a CLI process's start-up. It is CommonJS: required, it is the module every
// other import of it gets too.
import { createRequire } from 'node:module';
import type Jsonata from 'jsonata';

const require = createRequire(import.meta.url);
let loaded: typeof Jsonata | undefined;

/** The package's function: `jsonata()(text, options)` parses an expression. */
export function jsonata(): typeof Jsonata {
  return (loaded ??= require('jsonata') as typeof Jsonata);
}
