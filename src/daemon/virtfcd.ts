#!/usr/bin/env node
// virtfcd: fcvirt's daemon (see `virtfcd --help` and README.md, "Running the daemon").
import { openDriverBackend } from './driver-backend.js';
import { runVirtfcd } from './main.js';

const status = await runVirtfcd({
  argv: process.argv.slice(2),
  env: process.env,
  io: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  privileged: process.geteuid?.() === 0,
  signals: process,
  openBackend: (options, sockets, logger) => openDriverBackend(options, sockets, logger, process.env),
});
// Running VMs, their consoles and any client left are not this process's to wait for.
process.exit(status);
