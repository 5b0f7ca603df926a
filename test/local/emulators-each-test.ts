// The embedded emulators and this process's clients of them, fresh for each test of the calling
// describe block and stopped after it.
import type { Clients } from '../../execution/clients.ts';
import { createLocalClients, startEmulators, type Emulators } from '../../local/services/emulators.ts';

export const REGION = 'us-east-1';

/** Registers the hooks; the returned object holds the current test's emulators and clients. */
export function emulatorsEachTest(): { emulators: Emulators; clients: Clients } {
  const current = {} as { emulators: Emulators; clients: Clients };
  beforeEach(async () => {
    current.emulators = await startEmulators({ region: REGION, accountId: '000000000000' });
    current.clients = createLocalClients(REGION, current.emulators.endpoints);
  });
  afterEach(async () => {
    for (const client of Object.values(current.clients)) client.destroy();
    await current.emulators.stop();
  });
  return current;
}
