import type { Duplex } from 'node:stream';
import { DomainConsoleFlags, DomainState } from '../../api/constants.js';
import type { CliContext } from '../command.js';
import { CommandError, DOMAIN_OPTION, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

/** ^] leaves the console, as in virsh (and telnet). */
const ESCAPE = 0x1d;

/**
 * Connects the terminal to a console stream until the stream ends (the domain stopped, or
 * another client forced the console away) or ^] is typed. With a TTY on stdin the terminal is
 * raw meanwhile, so every key reaches the guest as typed.
 */
export async function runConsole(stream: Duplex, context: CliContext): Promise<void> {
  const stdin = context.stdin;
  const writeBytes = context.stdoutBytes ?? ((bytes: Uint8Array) => { context.stdout(Buffer.from(bytes).toString('utf8')); });
  await new Promise<void>((resolve) => {
    let done = false;
    const tty = stdin?.isTTY === true ? stdin : undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      stdin?.off('data', onInput);
      stdin?.off('end', onInputEnd);
      stdin?.pause();
      // A paused pipe or terminal still holds the event loop: let the command end.
      stdin?.unref?.();
      tty?.setRawMode?.(false);
      stream.off('data', onOutput);
      stream.destroy();
      resolve();
    };
    const onOutput = (chunk: Buffer): void => { writeBytes(chunk); };
    const onInput = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const escape = bytes.indexOf(ESCAPE);
      if (escape >= 0) {
        if (escape > 0) stream.write(bytes.subarray(0, escape));
        finish();
        return;
      }
      if (!stream.write(bytes)) {
        // The guest reads slower than we type: stop reading the terminal until it catches up.
        stdin?.pause();
        stream.once('drain', () => { if (!done) stdin?.resume(); });
      }
    };
    // Without a terminal (a pipe), the end of input is not the end of the session: the guest
    // may still be printing. The session then ends with the stream or ^].
    const onInputEnd = (): void => undefined;
    stream.on('data', onOutput);
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
    tty?.setRawMode?.(true);
    stdin?.on('data', onInput);
    stdin?.on('end', onInputEnd);
    stdin?.resume();
  });
}

export const consoleVerb = virshVerb({
  name: 'console',
  summary: 'connect to the guest console',
  options: [
    DOMAIN_OPTION,
    { name: 'devname', type: 'string', help: 'character device name' },
    { name: 'force', type: 'bool', help: 'force console connection (disconnect already connected sessions)' },
    { name: 'safe', type: 'bool', help: 'only connect if safe console handling is supported' },
  ],
  async run(options, context) {
    let flags = 0;
    if (options.bool('force')) flags |= DomainConsoleFlags.FORCE;
    if (options.bool('safe')) flags |= DomainConsoleFlags.SAFE;
    // The console is files (log and FIFO): once open it needs neither the connection nor the
    // root lock, so other commands on the same root run while it is open.
    const opened = await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'));
      if ((await domain.getState()).state === DomainState.SHUTOFF) throw new CommandError(['The domain is not running']);
      context.stdout(`Connected to domain '${domain.name}'\nEscape character is ^] (Ctrl + ])\n`);
      return domain.openConsole(options.string('devname') ?? null, flags);
    });
    await runConsole(opened, context);
  },
});
