// Polling with a deadline: tests wait for conditions, never for luck.
import { setTimeout as delay } from 'node:timers/promises';

export async function waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined> | T | undefined, deadlineMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await delay(everyMs);
  }
}
