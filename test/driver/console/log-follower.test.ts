import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, rename, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LogFollower } from '../../../src/driver/console/log-follower.js';
import { VirError } from '../../../src/errors.js';
import { Collector } from '../../helpers/stream-reader.js';
import { waitFor } from '../../helpers/wait.js';

async function scratch(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fcvirt-follow-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('follows from the end of the file at open time', async (t) => {
  const file = path.join(await scratch(t), 'a.log');
  await writeFile(file, 'before\n');
  const follower = await LogFollower.open(file);
  t.after(() => follower.destroy());
  const seen = new Collector(follower);
  await appendFile(file, 'after\n');
  await seen.waitForText('after\n');
  assert.equal(seen.text, 'after\n');
});

test('from a given offset; finish() delivers the rest and ends', async (t) => {
  const file = path.join(await scratch(t), 'a.log');
  await writeFile(file, '0123456789');
  const follower = await LogFollower.open(file, { from: 4 });
  const seen = new Collector(follower);
  await seen.waitForText('456789');
  await appendFile(file, 'tail');
  follower.finish();
  await seen.waitForEnd();
  assert.equal(seen.text, '456789tail');
});

test('a file truncated in place is read again from its start', async (t) => {
  const file = path.join(await scratch(t), 'a.log');
  await writeFile(file, 'x'.repeat(1000));
  const follower = await LogFollower.open(file);
  t.after(() => follower.destroy());
  const seen = new Collector(follower);
  await appendFile(file, 'first\n');
  await seen.waitForText('first\n');
  await truncate(file, 0);
  await appendFile(file, 'second\n');
  await seen.waitForText('second\n');
  assert.equal(seen.text, 'first\nsecond\n');
});

test('a file renamed away is still followed (its writer still writes into it)', async (t) => {
  const dir = await scratch(t);
  const file = path.join(dir, 'a.log');
  await writeFile(file, '');
  const follower = await LogFollower.open(file);
  t.after(() => follower.destroy());
  const seen = new Collector(follower);
  const writer = await open(file, 'a');
  t.after(() => writer.close());
  await writer.write('one\n');
  await seen.waitForText('one\n');
  await rename(file, path.join(dir, 'a.log.1'));
  await writer.write('two\n');
  await seen.waitForText('two\n');
  assert.equal(seen.text, 'one\ntwo\n');
});

test('a paused reader holds the file, not memory', async (t) => {
  const file = path.join(await scratch(t), 'a.log');
  await writeFile(file, '');
  const follower = await LogFollower.open(file);
  t.after(() => follower.destroy());
  follower.pause();
  await appendFile(file, Buffer.alloc(4 * 1024 * 1024, 'z'));
  follower.read(0);
  await waitFor(() => follower.readableLength >= 64 * 1024, 'the buffer to fill');
  // More turns of the event loop with 4 MiB waiting in the file: it must not read on.
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(follower.offset <= 128 * 1024, `read ${follower.offset} bytes ahead`);
  let total = 0;
  follower.on('data', (chunk: Buffer) => (total += chunk.length));
  follower.resume();
  await waitFor(() => total === 4 * 1024 * 1024, 'all 4 MiB');
});

test('a missing log is a VirError naming it', async (t) => {
  const file = path.join(await scratch(t), 'missing.log');
  await assert.rejects(LogFollower.open(file), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.match(error.message, /Unable to open log file '.*missing\.log'/);
    return true;
  });
});
