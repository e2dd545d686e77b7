// A stand-in guest for console tests, wired exactly as Firecracker is: the serial console is
// its stdin and stdout. It announces itself, echoes every line typed, and obeys a few
// commands so tests can make it write a lot, write in bursts, stop reading, or exit.
//   flood BYTES         write BYTES bytes of output at once, then "flood done"
//   bursts COUNT SIZE   COUNT bursts of SIZE-byte numbered records, one per event-loop turn
//   deaf                stop reading stdin (a guest that never reads its console)
//   exit                print "bye" and exit
import fs from 'node:fs';
import readline from 'node:readline';

const out = (text: string): void => {
  fs.writeSync(1, text);
};

out('guest: ready\n');
process.stderr.write('guest: a line on stderr\n');

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, a, b] = line.trim().split(/\s+/);
  if (command === 'flood') {
    const total = Number(a);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let written = 0; written < total; written += chunk.length) {
      fs.writeSync(1, chunk, 0, Math.min(chunk.length, total - written));
    }
    out('\nflood done\n');
  } else if (command === 'bursts') {
    const count = Number(a);
    const size = Number(b);
    let index = 0;
    const burst = (): void => {
      const record = `[${String(index).padStart(8, '0')}]`;
      out(record.padEnd(size - 1, '.') + '\n');
      index += 1;
      if (index < count) setImmediate(burst);
      else out('bursts done\n');
    };
    burst();
  } else if (command === 'deaf') {
    out('deaf\n');
    lines.pause();
    process.stdin.pause();
    // A paused stdin keeps no event loop alive; a guest that does not read still runs.
    setInterval(() => undefined, 1 << 30);
  } else if (command === 'exit') {
    out('bye\n');
    process.exit(0);
  } else {
    out(`echo: ${line}\n`);
  }
});
