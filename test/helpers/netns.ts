// A network namespace of the test's own, so that tap tests never touch the host's
// interfaces. Skips the test (saying why) when not root or when namespaces cannot be made.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';

const run = promisify(execFile);

export async function testNetns(t: TestContext): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    t.skip('tap tests need root (they create a network namespace)');
    return undefined;
  }
  const name = `fcvirt-test-${randomBytes(4).toString('hex')}`;
  try {
    await run('ip', ['netns', 'add', name]);
  } catch (error) {
    t.skip(`cannot create a network namespace: ${(error as Error).message.trim()}`);
    return undefined;
  }
  t.after(async () => {
    await run('ip', ['netns', 'del', name]);
  });
  return name;
}

/** `ip -n NS ARGS…` for test setup and checks. */
export async function ipIn(netns: string, ...args: string[]): Promise<string> {
  return (await run('ip', ['-n', netns, ...args])).stdout;
}

export interface LinkSummary {
  ifname: string;
  address: string;
  mtu: number;
  master?: string;
  flags: string[];
  linkinfo?: { info_kind?: string; info_data?: { type?: string; persist?: boolean } };
}

export async function linksIn(netns: string): Promise<LinkSummary[]> {
  return JSON.parse(await ipIn(netns, '-j', '-d', 'link', 'show')) as LinkSummary[];
}
