// A run whose Wait states, retries and timeouts are not what the test is about, on sinon's clock.
import sinon from 'sinon';

/**
 * Runs `work` on sinon's clock (setTimeout, clearTimeout and Date), moved on `stepMs` each turn of
 * the event loop until `work` settles: a wait of seconds passes in a few turns, and a timeout much
 * longer than the work's own waits stays thousands of turns away. Resolves with what `work` does
 * and how far the clock moved.
 */
export async function onFakeClock<T>(work: () => Promise<T>, stepMs = 250): Promise<{ value: T; elapsedMs: number }> {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  try {
    const started = clock.now;
    let settled = false;
    const running = work().finally(() => (settled = true));
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!settled) await clock.tickAsync(stepMs);
    }
    return { value: await running, elapsedMs: clock.now - started };
  } finally {
    clock.restore();
  }
}
