import { InvalidConfiguration } from '../../workflow/settings.ts';
import { SEED_FUNCTION } from '../../workflow/transfer-records.ts';

/** The table to seed, whose name the stack and the offline runtime pass in the environment. */
export function tableNameFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const variable = SEED_FUNCTION.tableNameVariable;
  const tableName = env[variable];
  if (!tableName) {
    throw new InvalidConfiguration(`${variable} is not set: the seed function needs the name of the table to write`);
  }
  return tableName;
}
