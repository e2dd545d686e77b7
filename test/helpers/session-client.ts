// A client of a user's fc:///session through the TS API, as a program (tests run it as another
// user): opens with session auto-start, prints what it saw as JSON, closes.
//   node dist/test/helpers/session-client.js [URI]
import { sessionDaemonCommand } from '../../src/daemon/command.js';
import { RemoteConnection } from '../../src/rpc/client/remote-connection.js';

try {
  const connection = await RemoteConnection.open(process.argv[2] ?? 'fc:///session', { autostart: sessionDaemonCommand(process.env) });
  const type = await connection.getType();
  const domains = (await connection.listAllDomains()).map((domain) => domain.name);
  await connection.close();
  process.stdout.write(`${JSON.stringify({ type, domains })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
}
