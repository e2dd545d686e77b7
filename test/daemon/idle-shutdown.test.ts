import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleShutdown } from '../../src/daemon/idle-shutdown.js';
import { waitFor } from '../helpers/wait.js';

test('fires once the daemon has been idle for the timeout, never while busy', async () => {
  let busy = true;
  let fired = 0;
  const idle = new IdleShutdown({ timeoutMs: 30, isBusy: () => busy, onIdle: () => fired++, recheckMs: 10 });
  try {
    // Busy for several timeouts: it must not fire.
    const until = Date.now() + 120;
    await waitFor(() => Date.now() > until, 'a while busy', 1000);
    assert.equal(fired, 0);
    busy = false;
    idle.poke();
    await waitFor(() => fired === 1, 'the idle shutdown', 2000);
  } finally {
    idle.stop();
  }
});

test('becoming busy before the timer runs out cancels it; it restarts from zero when idle again', async () => {
  let busy = false;
  let fired = 0;
  let firedAt = 0;
  const idle = new IdleShutdown({ timeoutMs: 150, isBusy: () => busy, onIdle: () => { fired++; firedAt = Date.now(); }, recheckMs: 1_000_000 });
  try {
    busy = true;
    idle.poke();
    const idleAgain = Date.now();
    busy = false;
    idle.poke();
    await waitFor(() => fired === 1, 'the idle shutdown', 2000);
    assert.ok(firedAt - idleAgain >= 140, `fired ${firedAt - idleAgain} ms after becoming idle`);
  } finally {
    idle.stop();
  }
});

test('a timer that finds the daemon busy when it runs out does not fire', async () => {
  let busy = false;
  let fired = 0;
  let checks = 0;
  const idle = new IdleShutdown({
    timeoutMs: 20,
    isBusy: () => {
      checks++;
      return busy;
    },
    onIdle: () => fired++,
    recheckMs: 1_000_000,
  });
  try {
    busy = true; // without a poke: only the timer's own check sees it
    await waitFor(() => checks >= 2, 'the timer\'s check', 2000);
    assert.equal(fired, 0);
  } finally {
    idle.stop();
  }
});
