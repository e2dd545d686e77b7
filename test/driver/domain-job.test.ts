import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainJob } from '../../src/driver/domain-job.js';
import { VirError } from '../../src/errors.js';

test('jobs run one at a time in arrival order', async () => {
  const job = new DomainJob();
  const order: string[] = [];
  const run = async (name: string): Promise<void> => {
    const end = await job.begin(name);
    order.push(`${name}:start`);
    await new Promise((resolve) => setImmediate(resolve));
    order.push(`${name}:end`);
    end();
  };
  await Promise.all([run('a'), run('b'), run('c')]);
  assert.deepEqual(order, ['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  assert.equal(job.active, undefined);
});

test('a waiter that cannot get the job in time gets libvirt\'s error', async () => {
  const job = new DomainJob();
  const end = await job.begin('fcDomainCreate');
  await assert.rejects(job.begin('fcDomainDestroy', 20), (error: unknown) =>
    error instanceof VirError && error.codeName === 'VIR_ERR_OPERATION_TIMEOUT'
    && error.message === 'Timed out during operation: cannot acquire state change lock (held by fcDomainCreate)');
  end();
  // The timed-out waiter left the queue: the job is free again.
  const again = await job.begin('x', 20);
  again();
  end(); // ending twice is harmless
  assert.equal(job.active, undefined);
});

test('idle() waits for the running job', async () => {
  const job = new DomainJob();
  const end = await job.begin('a');
  let idle = false;
  const waiting = job.idle().then(() => { idle = true; });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(idle, false);
  end();
  await waiting;
  assert.equal(idle, true);
});
