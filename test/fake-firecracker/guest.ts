// A pretend Linux guest on the serial console: kernel-like boot lines, then a shell prompt
// `fcguest# ` that echoes what arrives on stdin, byte by byte, as a raw terminal does. It
// reacts like a guest booted with `reboot=k`: a reset (ctrl-alt-del, `reboot`, a panic with
// `panic=N`) makes the VMM exit 0; `poweroff` only halts (no ACPI power-off in Firecracker).
// Boot arguments `fakefc.on_ctrl_alt_del=exit|ignore` and
// `fakefc.after_boot=reboot|poweroff|panic|crash|hang` script it for tests that cannot type.

export interface GuestHost {
  /** Bytes the guest writes to its serial port (Firecracker's stdout). */
  serial(text: string): void;
  /** The guest reset the machine: Firecracker stops with exit code 0. */
  reset(): void;
  /** The VMM dies on an internal error. */
  crash(): void;
}

export type GuestPhase = 'booting' | 'shell' | 'halted' | 'panicked' | 'hung' | 'down';

/** What a snapshot keeps of the guest. */
export interface GuestState {
  phase: GuestPhase;
  line: string;
  uptimeMs: number;
  pendingCtrlAltDel: boolean;
}

export interface GuestOptions {
  /** The kernel command line as the guest sees it (boot_args plus what Firecracker adds). */
  cmdline: string;
  memMib: number;
  vcpus: number;
  /** The block device the kernel mounts as root ("vda"), if any. */
  rootDevice: string | undefined;
  /** An initrd was given: the kernel needs no root device. */
  initrd?: boolean;
}

const PROMPT = 'fcguest# ';

export function bootArg(cmdline: string, key: string): string | undefined {
  let found: string | undefined;
  for (const token of cmdline.split(/\s+/)) {
    if (token === key) found = '';
    else if (token.startsWith(`${key}=`)) found = token.slice(key.length + 1);
  }
  return found;
}

export class FakeGuest {
  private phase: GuestPhase = 'booting';
  private line = '';
  private paused = false;
  private pendingInput: Buffer[] = [];
  private pendingCtrlAltDel = false;
  private lastWasCr = false;
  private uptimeBase = 0;
  private runningSince = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private readonly console: boolean;
  private readonly onCtrlAltDel: string;
  private readonly afterBoot: string | undefined;
  private readonly panicSeconds: number;

  constructor(
    private readonly host: GuestHost,
    private readonly options: GuestOptions,
    restored?: GuestState,
  ) {
    const cmd = options.cmdline;
    const consoleArg = bootArg(cmd, 'console') ?? '';
    // Without console=ttyS0 (or with the UART disabled) nothing reaches the serial port.
    this.console = consoleArg.startsWith('ttyS0') && bootArg(cmd, '8250.nr_uarts') !== '0';
    this.onCtrlAltDel = bootArg(cmd, 'fakefc.on_ctrl_alt_del') ?? 'exit';
    this.afterBoot = bootArg(cmd, 'fakefc.after_boot');
    this.panicSeconds = Number(bootArg(cmd, 'panic') ?? '0') || 0;
    if (restored !== undefined) {
      this.phase = restored.phase;
      this.line = restored.line;
      this.uptimeBase = restored.uptimeMs;
      this.pendingCtrlAltDel = restored.pendingCtrlAltDel;
      this.paused = true;
      // Saved while the kernel was still booting: it finishes once the vCPUs run again.
      if (restored.phase === 'booting') this.later(1, () => { this.finishBoot(); });
    }
  }

  private inShell(): boolean {
    return this.phase === 'shell';
  }

  get state(): GuestPhase {
    return this.phase;
  }

  /** InstanceStart: the kernel boots (once the API has answered) and init starts a shell. */
  boot(): void {
    this.runningSince = Date.now();
    this.later(1, () => { this.finishBoot(); });
  }

  private finishBoot(): void {
    this.print(this.bootLines());
    if (this.options.rootDevice === undefined && this.options.initrd !== true) {
      // Nothing to mount as root: the kernel panics (and reboots with panic=N).
      this.panic('VFS: Unable to mount root fs on unknown-block(0,0)');
      return;
    }
    this.phase = 'shell';
    this.print(PROMPT);
    if (this.afterBoot !== undefined) this.scripted(this.afterBoot);
    if (this.pendingCtrlAltDel) this.ctrlAltDel();
  }

  snapshot(): GuestState {
    return { phase: this.phase, line: this.line, uptimeMs: this.uptimeMs(), pendingCtrlAltDel: this.pendingCtrlAltDel };
  }

  pause(): void {
    if (this.paused) return;
    this.uptimeBase = this.uptimeMs();
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.runningSince = Date.now();
    const input = this.pendingInput;
    this.pendingInput = [];
    for (const chunk of input) this.input(chunk);
    if (this.pendingCtrlAltDel) {
      this.pendingCtrlAltDel = false;
      this.ctrlAltDel();
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const i of this.immediates) clearImmediate(i);
    this.immediates.clear();
    this.phase = 'down';
  }

  /** Bytes typed on the serial console. */
  input(chunk: Buffer): void {
    if (this.paused) {
      this.pendingInput.push(chunk);
      return;
    }
    for (const byte of chunk) {
      // A command (reboot, panic...) can end the shell in the middle of the input.
      if (!this.inShell()) return;
      this.key(byte);
    }
  }

  /** The i8042 keyboard sends ctrl-alt-del; init reboots unless told to ignore it. */
  ctrlAltDel(): void {
    if (this.paused || this.phase === 'booting') {
      this.pendingCtrlAltDel = true;
      return;
    }
    if (this.phase !== 'shell' || this.onCtrlAltDel === 'ignore') return;
    // The guest reacts once the API has answered, before the next request is read.
    const handle = setImmediate(() => {
      this.immediates.delete(handle);
      if (this.paused) {
        this.pendingCtrlAltDel = true;
        return;
      }
      if (this.phase !== 'shell') return;
      this.print('\r\n');
      this.shutdown('reboot');
    });
    this.immediates.add(handle);
  }

  private key(byte: number): void {
    if (byte === 0x0a && this.lastWasCr) {
      this.lastWasCr = false;
      return;
    }
    this.lastWasCr = byte === 0x0d;
    if (byte === 0x0d || byte === 0x0a) {
      this.print('\r\n');
      const command = this.line.trim();
      this.line = '';
      this.run(command);
      if (this.phase === 'shell') this.print(PROMPT);
      return;
    }
    if (byte === 0x7f || byte === 0x08) {
      if (this.line.length > 0) {
        this.line = this.line.slice(0, -1);
        this.print('\b \b');
      }
      return;
    }
    if (byte === 0x03) {
      this.line = '';
      this.print(`^C\r\n${PROMPT}`);
      return;
    }
    if (byte === 0x04 && this.line === '') {
      this.print(`\r\n${PROMPT}`);
      return;
    }
    this.line += String.fromCharCode(byte);
    this.print(Buffer.from([byte]).toString('latin1'));
  }

  private run(command: string): void {
    const [name = '', ...args] = command.split(/\s+/);
    switch (name) {
      case '':
        return;
      case 'reboot':
      case 'poweroff':
      case 'halt':
        this.shutdown(name === 'reboot' ? 'reboot' : 'poweroff');
        return;
      case 'panic':
        this.panic();
        return;
      case 'crash':
        this.crash();
        return;
      case 'echo':
        this.print(`${args.join(' ')}\r\n`);
        return;
      case 'uname':
        this.print(args.includes('-a') ? 'Linux fcguest 5.10.0-fakefc #1 SMP x86_64 GNU/Linux\r\n' : 'Linux\r\n');
        return;
      case 'hostname':
        this.print('fcguest\r\n');
        return;
      case 'cat':
        if (args[0] === '/proc/cmdline') {
          this.print(`${this.options.cmdline}\r\n`);
          return;
        }
        this.print(`cat: can't open '${args[0] ?? ''}': No such file or directory\r\n`);
        return;
      case 'true':
      case 'sync':
        return;
      default:
        this.print(`sh: ${name}: not found\r\n`);
    }
  }

  private scripted(action: string): void {
    if (this.phase !== 'shell') return;
    switch (action) {
      case 'reboot':
      case 'poweroff':
        this.print('\r\n');
        this.shutdown(action);
        return;
      case 'panic':
        this.print('\r\n');
        this.panic();
        return;
      case 'crash':
        this.crash();
        return;
      case 'hang':
        this.phase = 'hung';
        return;
      default:
        return;
    }
  }

  private shutdown(kind: 'reboot' | 'poweroff'): void {
    this.print(
      'The system is going down NOW!\r\nSent SIGTERM to all processes\r\nSent SIGKILL to all processes\r\n' +
        `Requesting system ${kind}\r\n`,
    );
    if (kind === 'reboot') {
      this.print(`${this.stamp()} reboot: Restarting system\r\n`);
      this.phase = 'down';
      this.host.reset();
      return;
    }
    this.print(`${this.stamp()} reboot: System halted\r\n`);
    this.phase = 'halted';
  }

  private panic(msg = 'Attempted to kill init! exitcode=0x00000000'): void {
    const comm = msg.startsWith('VFS') ? 'swapper/0' : 'init';
    this.print(
      `${this.stamp()} Kernel panic - not syncing: ${msg}\r\n` +
        `${this.stamp()} CPU: 0 PID: 1 Comm: ${comm} Not tainted 5.10.0-fakefc #1\r\n` +
        `${this.stamp()} Kernel Offset: disabled\r\n`,
    );
    this.phase = 'panicked';
    if (this.panicSeconds === 0) {
      this.print(`${this.stamp()} ---[ end Kernel panic - not syncing: ${msg} ]---\r\n`);
      return;
    }
    const seconds = this.panicSeconds;
    this.print(`${this.stamp()} Rebooting in ${seconds} seconds..\r\n`);
    this.later(Math.max(0, seconds) * 1000, () => {
      this.phase = 'down';
      this.host.reset();
    });
  }

  private crash(): void {
    this.phase = 'down';
    this.host.crash();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.paused) {
        // vCPUs do not run while paused; try again once resumed.
        this.later(ms, fn);
        return;
      }
      fn();
    }, ms);
    this.timers.add(t);
  }

  private print(text: string): void {
    if (this.console && !this.paused) this.host.serial(text);
  }

  private uptimeMs(): number {
    return this.paused ? this.uptimeBase : this.uptimeBase + (Date.now() - this.runningSince);
  }

  private stamp(offsetMs = 0): string {
    const us = Math.floor((this.uptimeMs() + offsetMs) * 1000);
    const secs = Math.floor(us / 1e6);
    return `[${String(secs).padStart(5, ' ')}.${String(us % 1e6).padStart(6, '0')}]`;
  }

  private bootLines(): string {
    const o = this.options;
    const memK = o.memMib * 1024;
    const lines: [number, string][] = [
      [0, 'Linux version 5.10.0-fakefc (fakefc@fcvirt) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP'],
      [0, `Command line: ${o.cmdline}`],
      [0, 'Hypervisor detected: KVM'],
      [0, `Kernel command line: ${o.cmdline}`],
      [1, `Memory: ${memK - 24236}K/${memK}K available (10242K kernel code, 1096K rwdata, 1672K rodata)`],
      [3, `smp: Brought up 1 node, ${o.vcpus} CPU${o.vcpus === 1 ? '' : 's'}`],
      [4, 'printk: console [ttyS0] enabled'],
      [5, 'serio: i8042 KBD port at 0x60,0x64 irq 1'],
    ];
    if (o.rootDevice !== undefined) {
      lines.push([6, `EXT4-fs (${o.rootDevice}): mounted filesystem with ordered data mode. Opts: (null)`]);
      lines.push([6, `VFS: Mounted root (ext4 filesystem) on device 254:0.`]);
    }
    if (o.rootDevice !== undefined || o.initrd === true) lines.push([7, 'Run /sbin/init as init process']);
    else lines.push([7, 'VFS: Cannot open root device "(null)" or unknown-block(0,0): error -6']);
    return lines.map(([ms, text]) => `${this.stamp(ms)} ${text}\r\n`).join('');
  }
}
