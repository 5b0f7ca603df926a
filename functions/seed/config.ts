import { InvalidConfiguration } from '../../workflow/resources.ts';

/** The table to seed, which the stack and the offline runtime pass as TABLE_NAME. */
export function tableNameFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const tableName = env.TABLE_NAME;
  if (!tableName) {
    throw new InvalidConfiguration('TABLE_NAME is not set: the seed function needs the name of the table to write');
  }
  return tableName;
}
