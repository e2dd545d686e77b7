// One FcDriver per root in a process, shared by every connection to it: a second embed
// connection to the same root in one process uses the driver the first one opened (it would
// otherwise wait for its own lock), and the driver closes with its last connection.

import { FcDriver, type FcDriverOptions } from './driver.js';

interface Entry {
  driver: Promise<FcDriver>;
  references: number;
}

const drivers = new Map<string, Entry>();

/** The driver of `options.layout`'s root, opened on first use. Pair with releaseDriver(). */
export async function acquireDriver(options: FcDriverOptions): Promise<FcDriver> {
  const key = options.layout.stateDir;
  let entry = drivers.get(key);
  if (entry === undefined) {
    entry = { driver: FcDriver.open(options), references: 0 };
    drivers.set(key, entry);
  }
  entry.references++;
  try {
    return await entry.driver;
  } catch (error) {
    entry.references--;
    if (drivers.get(key) === entry) drivers.delete(key);
    throw error;
  }
}

export async function releaseDriver(driver: FcDriver): Promise<void> {
  const key = driver.layout.stateDir;
  const entry = drivers.get(key);
  if (entry === undefined) return;
  entry.references--;
  if (entry.references > 0) return;
  drivers.delete(key);
  await driver.close();
}
