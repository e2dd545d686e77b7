// Installs mini-firecracker as an executable named `firecracker` in a directory, as a real
// binary would be installed (a shell script exec'ing node on the compiled helper).
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { helpersDir } from './console-guest.js';

export async function installMiniFirecracker(dir: string, name = 'firecracker'): Promise<string> {
  const binary = path.join(dir, name);
  const script = path.join(helpersDir, 'mini-firecracker.js');
  await writeFile(binary, `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`);
  await chmod(binary, 0o755);
  return binary;
}
