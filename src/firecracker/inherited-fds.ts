// A spawned Firecracker must get fds 0–2 and nothing else. Node opens everything with
// O_CLOEXEC, but a native module need not: node-pty's openpty() master, for one, would leak
// into every VM started later, keeping that pty alive after the daemon is gone. Node cannot
// set FD_CLOEXEC, so spawnFirecracker() covers such fds in the child with /dev/null.

import fs from 'node:fs';

/** fds ≥ 3 of this process that lack O_CLOEXEC (a child would inherit them). */
export function inheritableFds(): number[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc/self/fdinfo');
  } catch {
    return [];
  }
  const result: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isSafeInteger(fd) || fd < 3) continue;
    let info: string;
    try {
      info = fs.readFileSync(`/proc/self/fdinfo/${name}`, 'utf8');
    } catch {
      continue; // closed meanwhile (the readdir's own fd, for one)
    }
    const flags = /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
    // O_CLOEXEC is 02000000 (octal) on every Linux architecture fcvirt runs on.
    if (flags !== undefined && (parseInt(flags, 8) & 0o2000000) === 0) result.push(fd);
  }
  return result.sort((a, b) => a - b);
}
