import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '../../src/driver/atomic-file.js';

test('writeFileAtomic replaces the content and leaves no temporary', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-atomic-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const target = path.join(dir, 'a.xml');
  await writeFileAtomic(target, 'one');
  await writeFileAtomic(target, 'two', { mode: 0o644 });
  assert.equal(await fs.readFile(target, 'utf8'), 'two');
  assert.equal((await fs.stat(target)).mode & 0o777, 0o644);
  assert.deepEqual(await fs.readdir(dir), ['a.xml']);
});

test('a failed write keeps the old file and removes its temporary', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-atomic-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const target = path.join(dir, 'a.xml');
  await writeFileAtomic(target, 'old');
  await fs.mkdir(path.join(dir, 'b.xml'));
  // Renaming a file over a directory fails: the write must not leave anything behind.
  await assert.rejects(writeFileAtomic(path.join(dir, 'b.xml'), 'new'));
  assert.deepEqual((await fs.readdir(dir)).sort(), ['a.xml', 'b.xml']);
  assert.equal(await fs.readFile(target, 'utf8'), 'old');
});

test('temporaries of dead writers are removed, those of live ones kept', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-atomic-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  // pid 2^22+1 is above Linux's pid_max limit: never a live process.
  const dead = `.a.xml.${2 ** 22 + 1}.0123abcd.tmp`;
  const live = `.a.xml.${process.pid}.0123abcd.tmp`;
  await fs.writeFile(path.join(dir, dead), 'x');
  await fs.writeFile(path.join(dir, live), 'x');
  await fs.writeFile(path.join(dir, 'keep.xml'), 'x');
  await removeStaleTemporaries(dir);
  assert.deepEqual((await fs.readdir(dir)).sort(), [live, 'keep.xml'].sort());
});
