// SNS and EventBridge offline: both emulators in this process, delivering to the SQS emulator's
// queues through one SQS client, and the log of what was published and put, for the run's record.
import type { Notification } from '../../execution/execution-record.ts';
import type { LocalEndpoints, LocalMessaging } from '../contracts.ts';
import { createLocalClients } from './emulators.ts';
import { createEventBridgeEmulator } from './eventbridge-emulator.ts';
import { queueDelivery } from './queue-delivery.ts';
import { createSnsEmulator } from './sns-emulator.ts';

export function startMessaging(region: string, accountId: string, endpoints: LocalEndpoints): LocalMessaging & { stop(): void } {
  // The clients are made at the first delivery: most runs publish nothing, and start-up stays as it was.
  let clients: ReturnType<typeof createLocalClients> | undefined;
  const deliver = queueDelivery(() => (clients ??= createLocalClients(region, endpoints)).sqs);
  const log: Notification[] = [];
  const record = (notification: Notification) => log.push(notification);
  return {
    sns: createSnsEmulator({ region, accountId, deliver, record }),
    events: createEventBridgeEmulator({ region, accountId, deliver, record }),
    notifications: () => [...log],
    stop: () => {
      for (const client of Object.values(clients ?? {})) client.destroy();
    },
  };
}
