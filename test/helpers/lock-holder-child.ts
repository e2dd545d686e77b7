// Holds a root's lock as an embed command or a daemon would, until its stdin closes (then it
// releases) or it is killed (then the lock is stale). argv: STATE-DIR embed|daemon [URI]
import { readProcessStartTime } from '../../src/firecracker/process-info.js';
import { RootLock } from '../../src/driver/root-lock.js';

const [directory, kind, uri] = process.argv.slice(2);
if (directory === undefined || (kind !== 'embed' && kind !== 'daemon')) throw new Error('usage: lock-holder-child DIR embed|daemon [URI]');
const lock = await RootLock.acquire(directory, {
  kind,
  ...(uri === undefined ? {} : { uri }),
  waitMs: 10_000,
  rootName: `'${directory}'`,
  startTimeOf: readProcessStartTime,
});
process.stdout.write('locked\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void lock.release().then(() => {
    process.stdout.write('released\n');
    process.exit(0);
  });
});
