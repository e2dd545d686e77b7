// Runs the test daemon until killed, for trying virsh by hand:
//   node dist/test/helpers/serve-test-daemon.js   → prints the two socket paths
import { startTestDaemon } from './rpc-daemon.js';

const daemon = await startTestDaemon({ log: (message) => { console.error(message); } });
console.log(JSON.stringify({ rw: daemon.rwPath, ro: daemon.roPath }));
const stop = (): void => {
  void daemon.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
