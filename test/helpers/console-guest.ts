// A stand-in guest wired by a separate process (wire-guest.js), plus cleanup: the guest is
// terminated and its directory removed when the test ends, whatever happened.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import type { ConsolePaths } from '../../src/driver/console/console-files.js';
import { readProcessStartTime } from '../../src/firecracker/process-info.js';
import { terminate, watchProcessExit, type ProcessExitWatch } from '../../src/firecracker/process-watch.js';

const execFileAsync = promisify(execFile);
export const helpersDir = path.dirname(fileURLToPath(import.meta.url));

export interface WiredGuest {
  dir: string;
  paths: ConsolePaths;
  pid: number;
  startTime: number;
  exited: ProcessExitWatch;
}

export async function wireGuest(t: TestContext, script?: string): Promise<WiredGuest> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fcvirt-console-'));
  const paths: ConsolePaths = {
    logFile: path.join(dir, 'log', 'guest.log'),
    inputFifo: path.join(dir, 'run', 'guest.console.in'),
    ownerFile: path.join(dir, 'run', 'guest.console.owner'),
  };
  const args = [path.join(helpersDir, 'wire-guest.js'), paths.logFile, paths.inputFifo, paths.ownerFile];
  if (script !== undefined) args.push(script);
  const { stdout } = await execFileAsync(process.execPath, args);
  const { pid } = JSON.parse(stdout) as { pid: number };
  const startTime = await readProcessStartTime(pid);
  if (startTime === undefined) throw new Error(`the guest ${pid} is not running`);
  const exited = watchProcessExit(pid, startTime, { pollMs: 25 });
  t.after(async () => {
    exited.cancel();
    await terminate(pid, startTime, { graceMs: 2000 });
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, paths, pid, startTime, exited };
}
