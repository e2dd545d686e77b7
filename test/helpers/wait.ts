// Polling with a deadline: tests wait for conditions, never for a fixed time.

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  /** What is awaited, for the timeout message; a function is asked only then. */
  what: string | (() => string),
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
