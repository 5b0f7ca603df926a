// The endpoint's activities (CreateActivity, DescribeActivity, ListActivities, DeleteActivity) and
// their workers' long poll (GetActivityTask), whose tasks the registry of task tokens schedules.
import { ApiError } from './errors.ts';
import { checkName, optionalInteger, optionalString, parseStatesArn, requiredString, type Body } from './fields.ts';
type Operation = (body: Body) => unknown;
import { paginate } from './pagination.ts';
import type { TaskTokenRegistry } from './task-tokens.ts';

export interface Activity {
  activityArn: string;
  name: string;
  creationDate: Date;
  /** Its place in the order of creation, which ListActivities pages by. */
  position: number;
}

export function createActivityStore(region: string, accountId: string) {
  const activities = new Map<string, Activity>();
  let created = 0;
  return {
    /** CreateActivity is idempotent: the same name returns the activity already there. */
    create(name: string): Activity {
      const activityArn = `arn:aws:states:${region}:${accountId}:activity:${name}`;
      const existing = activities.get(activityArn);
      if (existing) return existing;
      const activity = { activityArn, name, creationDate: new Date(), position: created++ };
      activities.set(activityArn, activity);
      return activity;
    },
    get(arn: string): Activity {
      const activity = activities.get(arn);
      if (!activity) throw new ApiError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
      return activity;
    },
    has(arn: string): boolean {
      return activities.has(arn);
    },
    delete(arn: string): void {
      activities.delete(arn);
    },
    list(): Activity[] {
      return [...activities.values()];
    },
  };
}

export type ActivityStore = ReturnType<typeof createActivityStore>;

const activityArn = (body: Body) => {
  const arn = requiredString(body, 'activityArn', 256);
  parseStatesArn(arn, ['activity']);
  return arn;
};

/** `stopping` ends the polls in flight when the endpoint stops (each answers as a poll nothing came to). */
export function activityOperations(activities: ActivityStore, tokens: TaskTokenRegistry, stopping: AbortSignal): Record<string, Operation> {
  return {
    CreateActivity: (body) => {
      const { activityArn: arn, creationDate } = activities.create(checkName(requiredString(body, 'name', 80)));
      return { activityArn: arn, creationDate };
    },
    DescribeActivity: (body) => {
      const { activityArn: arn, name, creationDate } = activities.get(activityArn(body));
      return { activityArn: arn, name, creationDate };
    },
    DeleteActivity: (body) => {
      activities.delete(activityArn(body));
      return {};
    },
    ListActivities: (body) => {
      const page = paginate(activities.list(), (activity) => activity.position, 'ascending', {
        maxResults: optionalInteger(body, 'maxResults', 0, 1000),
        nextToken: optionalString(body, 'nextToken', 1024),
        scope: { operation: 'ListActivities' },
      });
      return {
        activities: page.items.map(({ activityArn: arn, name, creationDate }) => ({ activityArn: arn, name, creationDate })),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
    GetActivityTask: getActivityTask(tokens, stopping, (arn) => activities.get(arn)),
  };
}

/**
 * GetActivityTask: a long poll of up to 60 s; nothing in that time answers without a taskToken,
 * as AWS does. `check` refuses an activity that does not exist.
 */
export function getActivityTask(tokens: TaskTokenRegistry, stopping: AbortSignal, check: (arn: string) => unknown): Operation {
  return async (body) => {
    const arn = activityArn(body);
    const workerName = optionalString(body, 'workerName', 80);
    check(arn);
    return (await tokens.poll(arn, workerName, stopping)) ?? {};
  };
}
