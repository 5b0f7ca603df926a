// dynalite's modules, imported here for the two files that reach inside it: dynalite-store.ts
// replaces its storage, dynalite-fast-path.ts runs its checks. Both get the very modules its
// server runs, and, being static imports, they let the CLI's bundle carry dynalite (its actions
// included) instead of Node resolving and loading some sixty files at every start.
import dynalite from 'dynalite';
import db from 'dynalite/db/index.js';
import validations from 'dynalite/validations/index.js';
import batchGetItem from 'dynalite/validations/batchGetItem.js';
import batchWriteItem from 'dynalite/validations/batchWriteItem.js';
import getItem from 'dynalite/validations/getItem.js';

export { dynalite, db, validations };

/** dynalite's validation of the requests the fast path answers, by operation. */
export const actionValidations = { batchGetItem, batchWriteItem, getItem };
