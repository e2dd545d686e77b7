// virtfcd's command line over the in-memory hypervisor, as a program: for tests of what a
// started daemon process does (signals, idle exit, client auto-start) apart from the fc driver.
//   node dist/test/helpers/memory-virtfcd.js [virtfcd options]
import { runVirtfcd } from '../../src/daemon/main.js';
import { memoryBackend } from './memory-backend.js';

process.exit(await runVirtfcd({
  argv: process.argv.slice(2),
  env: process.env,
  io: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  privileged: process.geteuid?.() === 0,
  signals: process,
  openBackend: () => Promise.resolve(memoryBackend()),
}));
