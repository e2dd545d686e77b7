// The Firecracker test double: a process with Firecracker's command line, API socket,
// logging, exit codes and a pretend guest on the serial console. The version it plays comes
// from FCVIRT_FAKE_FIRECRACKER_VERSION (0.25.2, 1.3.3 or 1.16.1; default 1.16.1).
// It is a test tool: it runs no virtual machine.
import fs from 'node:fs';
import { ApiServer } from './api.js';
import { parseCli, instanceIdError, type CliError } from './cli.js';
import { buildFromJson } from './config-file.js';
import type { FakeGuest } from './guest.js';
import { ApiHttpServer } from './http-server.js';
import { FcLogger, parseLevel } from './log.js';
import { Texts } from './messages.js';
import { Metrics } from './metrics.js';
import { OsError, tryOs } from './os-error.js';
import { DEFAULT_VERSION, isFcVersion, profileFor, type Profile } from './profile.js';
import { schemasFor } from './schemas.js';
import { Stdio } from './stdio.js';
import { Vmm } from './vmm.js';

const EXIT_GENERIC = 1;
const EXIT_BAD_CONFIGURATION = 152;
const EXIT_ARG_PARSING = 153;
const EXIT_SIGHUP = 156;

const requested = process.env.FCVIRT_FAKE_FIRECRACKER_VERSION ?? DEFAULT_VERSION;
if (!isFcVersion(requested)) {
  process.stderr.write(`fake firecracker: FCVIRT_FAKE_FIRECRACKER_VERSION=${requested} is not one of 0.25.2, 1.3.3, 1.16.1\n`);
  process.exit(2);
}
const profile: Profile = profileFor(requested);
const stdio = new Stdio();
const logger = new FcLogger(profile, (stream, text) => { stdio.write(stream, text); });
const metrics = new Metrics();
let serialFd: number | undefined;
let apiServer: ApiHttpServer | undefined;
let rawTty = false;

/** Leaves the process as Firecracker does, its last log lines included. */
function exit(code: number, reason?: string): never {
  if (profile.modern) {
    if (code === 0) {
      logger.log('INFO', 'main', '', 'Firecracker exiting successfully. exit_code=0');
    } else {
      if (reason !== undefined) logger.log('ERROR', 'main', '', reason);
      logger.log('ERROR', 'main', '', `Firecracker exiting with error. exit_code=${code}`);
    }
  }
  if (rawTty && process.stdin.isTTY) process.stdin.setRawMode(false);
  stdio.flush();
  process.exit(code);
}

/** main() returning an error: v1.16 logs it, prints its Debug form on stderr, and exits. */
function mainError(code: number, display: string, debug: string, oldOrigin = profile.origin.genericError): never {
  if (profile.modern) {
    logger.log('ERROR', 'main', '', display);
    stdio.write('stderr', `Error: ${debug}\n`);
  } else {
    logger.log('ERROR', 'main', oldOrigin, display);
  }
  exit(code);
}

/** A Rust panic: the hook logs it, then the process aborts (SIGABRT). */
function panic(location: string, message: string): never {
  logger.log('ERROR', 'main', profile.origin.panic, `Firecracker panicked at src/firecracker/src/main.rs:${location}:\n${message}`);
  metrics.flush();
  if (rawTty && process.stdin.isTTY) process.stdin.setRawMode(false);
  stdio.flush();
  process.kill(process.pid, 'SIGABRT');
  // The signal is delivered before kill() returns; should it not be, do not run on.
  return process.abort();
}

function argumentsError(err: CliError): never {
  const text = profile.modern
    ? `Arguments parsing error: ${err.text} \\n\\nFor more information try --help.`
    : `Arguments parsing error: ${err.text} \n\nFor more information try --help.`;
  if (profile.modern) {
    logger.log('ERROR', 'main', '', text);
    stdio.write('stderr', `Error: ParseArguments(${err.debug})\n`);
    exit(EXIT_ARG_PARSING);
  }
  logger.log('ERROR', 'main', profile.origin.argParse, text);
  exit(EXIT_ARG_PARSING);
}

function rustParseIntError(value: string): string {
  if (value === '') return 'ParseIntError { kind: Empty }';
  if (/^\+?\d+$/.test(value)) return 'ParseIntError { kind: PosOverflow }';
  return 'ParseIntError { kind: InvalidDigit }';
}

function ifaceKind(name: string): 'tap' | 'other' | 'none' {
  if (name === '') return 'none';
  if (name.includes('/') || /\s/.test(name) || name === '.' || name === '..') return 'other';
  if (!fs.existsSync(`/sys/class/net/${name}`)) return 'none';
  return fs.existsSync(`/sys/class/net/${name}/tun_flags`) ? 'tap' : 'other';
}

function main(): void {
  const cli = parseCli(profile, process.argv.slice(2));
  if (cli.kind === 'error') argumentsError(cli.error);
  if (cli.kind === 'help') {
    stdio.write('stdout', `Firecracker v${profile.version}\n\n${profile.help}\n`);
    exit(0);
  }
  if (cli.kind === 'version') {
    const extra = profile.snapshotVersionsLine === undefined ? '' : `${profile.snapshotVersionsLine}\n\n`;
    stdio.write('stdout', `Firecracker v${profile.version}\n\n${extra}`);
    exit(0);
  }
  const args = cli.values;
  const value = (name: string): string | undefined => {
    const v = args.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const flag = (name: string): boolean => args.get(name) === true;

  if (profile.modern && flag('snapshot-version')) {
    stdio.write('stdout', 'v10.0.0\n');
    exit(0);
  }
  const describe = value('describe-snapshot');
  if (describe !== undefined) describeSnapshot(describe);

  const seccompLevel = value('seccomp-level');
  if (seccompLevel !== undefined) {
    logger.log('WARN', 'main', profile.origin.seccompLevelWarn, `You are using a deprecated parameter: --seccomp-level ${seccompLevel}, that will be removed in a future version.`);
  }

  const id = value('id') ?? 'anonymous-instance';
  const idError = instanceIdError(id);
  if (idError !== undefined) panic(profile.panicAt.instanceId, `Invalid instance ID: ${idError}`);
  logger.instanceId = id;

  configureLoggerFromCli(value('log-path'), value('level'), flag('show-level'), flag('show-log-origin'));
  if (profile.modern) logger.log('INFO', 'main', '', `Running Firecracker v${profile.version}`);

  const metricsPath = value('metrics-path');
  if (metricsPath !== undefined) {
    const flags = fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_APPEND | (profile.modern ? fs.constants.O_CREAT : 0);
    const opened = tryOs(() => fs.openSync(metricsPath, flags, 0o644));
    if (!opened.ok) mainError(EXIT_GENERIC, `Could not initialize metrics: ${opened.error.display()}`, `MetricsInitialization(InitializationFailure(${JSON.stringify(opened.error.display())}))`);
    metrics.init(opened.value);
  }

  if (seccompLevel !== undefined && !['0', '1', '2'].includes(seccompLevel)) {
    mainError(EXIT_GENERIC, 'Seccomp error: Invalid seccomp argument configuration: Invalid value for --seccomp-level.', 'SeccompFilter(InvalidLevel)');
  }
  const seccompFilter = value('seccomp-filter');
  if (seccompFilter !== undefined) {
    const r = tryOs(() => fs.readFileSync(seccompFilter));
    if (!r.ok) mainError(EXIT_GENERIC, `Seccomp error: Failed to open the seccomp filter file: ${r.error.display()}`, `SeccompFilter(FileOpen(${r.error.debug()}))`);
  }

  const configPath = value('config-file');
  let configJson: string | undefined;
  if (configPath !== undefined) {
    const r = tryOs(() => fs.readFileSync(configPath, 'utf8'));
    if (!r.ok) panic(profile.panicAt.configFile, `Unable to open or read from the configuration file: ${r.error.debug()}`);
    configJson = r.value;
  }
  const metadataPath = value('metadata');
  let metadata: string | undefined;
  if (metadataPath !== undefined) {
    const r = tryOs(() => fs.readFileSync(metadataPath, 'utf8'));
    if (!r.ok) panic(profile.panicAt.metadata, `Unable to open or read from the mmds content file: ${r.error.debug()}`);
    metadata = r.value;
  }
  // Numeric flags are parsed with expect(): a bad value is a panic, in main.rs's order.
  const panicLines: Record<string, Record<string, string>> = {
    '0.25.2': { 'http-api-max-payload-size': '315:22', 'start-time-us': '320:18', 'start-time-cpu-us': '325:18', 'parent-cpu-time-us': '330:18' },
    '1.3.3': { 'http-api-max-payload-size': '345:18', 'mmds-size-limit': '357:18', 'start-time-us': '369:18', 'start-time-cpu-us': '374:18', 'parent-cpu-time-us': '379:18' },
    '1.16.1': { 'http-api-max-payload-size': '403:18', 'mmds-size-limit': '415:18', 'start-time-us': '427:18', 'start-time-cpu-us': '432:18', 'parent-cpu-time-us': '437:18' },
  };
  const apiEnabled = !flag('no-api');
  const numeric = (name: string, type: 'usize' | 'u64'): number | undefined => {
    const text = value(name);
    if (text === undefined) return undefined;
    const n = /^\+?\d+$/.test(text) ? BigInt(text) : undefined;
    if (n === undefined || n > 0xffffffffffffffffn) {
      panic(panicLines[profile.version]?.[name] ?? '0:0', `'${name}' parameter expected to be of '${type}' type.: ${rustParseIntError(text)}`);
    }
    return Number(n);
  };
  let payloadLimit = profile.payloadLimit;
  let mmdsLimit: number | undefined;
  if (profile.v1 || apiEnabled) payloadLimit = numeric('http-api-max-payload-size', 'usize') ?? payloadLimit;
  if (profile.v1) mmdsLimit = numeric('mmds-size-limit', 'usize');
  if (apiEnabled) {
    numeric('start-time-us', 'u64');
    numeric('start-time-cpu-us', 'u64');
    numeric('parent-cpu-time-us', 'u64');
  }

  const texts = new Texts(profile);
  const vmm = new Vmm({
    profile,
    texts,
    logger,
    metrics,
    instanceId: id,
    enablePci: flag('enable-pci'),
    mmdsLimit: mmdsLimit ?? payloadLimit,
    serial: (text) => { writeSerial(vmm, text); },
    exit: (code) => { guestExit(code); },
    ifaceKind,
    onStart: (guest) => { attachConsole(guest); },
  });

  if (metadata !== undefined) {
    try {
      vmm.handle({ type: 'PutMMDS', value: JSON.parse(metadata) as never });
    } catch {
      mainError(EXIT_GENERIC, 'Populating MMDS from file failed.', 'RunWithApi(BuildMicroVmError(ParseMmdsContents))');
    }
  }

  if (!apiEnabled) {
    if (configJson !== undefined) startFromConfig(vmm, configJson);
    return;
  }
  const socketPath = value('api-sock') ?? '/run/firecracker.socket';
  void serve(vmm, socketPath, payloadLimit, configJson);
}

function configureLoggerFromCli(logPath: string | undefined, level: string | undefined, showLevel: boolean, showOrigin: boolean): void {
  if (profile.modern) {
    let maxLevel: ReturnType<typeof parseLevel> = 3;
    if (level !== undefined) {
      maxLevel = parseLevel(level, true);
      if (maxLevel === undefined) {
        mainError(
          EXIT_BAD_CONFIGURATION,
          `Invalid value for logger level: Failed to parse string to level filter: ${level}.Possible values: [Error, Warning, Info, Debug]`,
          `InvalidLogLevel(LevelFilterFromStrError(${JSON.stringify(level)}))`,
        );
      }
    }
    if (logPath !== undefined) {
      const opened = tryOs(() => fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NONBLOCK | fs.constants.O_APPEND, 0o644));
      if (!opened.ok) {
        mainError(EXIT_GENERIC, `Could not initialize logger: Failed to open target file: ${opened.error.display()}`, `LoggerInitialization(LoggerUpdateError(${opened.error.debug()}))`);
      }
      logger.setTarget(opened.value);
    }
    logger.configure({ maxLevel, ...(showLevel ? { showLevel: true } : {}), ...(showOrigin ? { showOrigin: true } : {}) });
    return;
  }
  if (logPath === undefined) return;
  const maxLevel = parseLevel(level ?? 'Warning', false);
  if (maxLevel === undefined) {
    mainError(EXIT_GENERIC, `Invalid value for logger level: ${level ?? ''}.Possible values: [Error, Warning, Info, Debug]`, '');
  }
  const opened = tryOs(() => fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_APPEND));
  if (!opened.ok) {
    const sep = profile.v1 ? ':' : '::';
    mainError(EXIT_GENERIC, `Could not initialize logger${sep} ${opened.error.display()}`, '');
  }
  logger.setTarget(opened.value);
  logger.configure({ maxLevel, showLevel, showOrigin });
  logger.initialized = true;
  logger.raw(`Running Firecracker v${profile.version}\n`);
}

function describeSnapshot(file: string): never {
  const r = tryOs(() => fs.readFileSync(file));
  if (!r.ok) {
    if (profile.modern) mainError(EXIT_GENERIC, `When printing Snapshot Data format: Unable to open snapshot state file: ${r.error.display()}`, `PrintSnapshotDataFormat(OpenSnapshot(${r.error.debug()}))`);
    mainError(EXIT_GENERIC, `Unable to open snapshot state file: ${r.error.debug()}`, '');
  }
  const saved = /"version":"([0-9.]+)"/.exec(r.value.toString('utf8'));
  if (saved?.[1] === undefined) {
    if (profile.modern) mainError(EXIT_GENERIC, 'When printing Snapshot Data format: Invalid data format version of snapshot file', 'PrintSnapshotDataFormat(SnapshotVersion(InvalidFormatVersion))');
    mainError(EXIT_GENERIC, 'Invalid data format version of snapshot file: InvalidMagic', '');
  }
  const v = saved[1];
  stdio.write('stdout', profile.modern ? 'v10.0.0\n' : `v${v.startsWith('0.') ? '0.25.0' : '1.3.0'}\n`);
  exit(0);
}

/** The API socket, then (with --config-file) the microVM configured and started at once. */
async function serve(vmm: Vmm, socketPath: string, payloadLimit: number, configJson: string | undefined): Promise<void> {
  const api = new ApiServer({
    profile,
    schemas: schemasFor(profile),
    vmm,
    logger,
    metrics,
    exitAfterAnswer: (code) => { snapshotLoadFailed(code); },
  });
  const server = (apiServer = new ApiHttpServer({
    methods: profile.modern ? ['GET', 'PUT', 'PATCH', 'DELETE'] : ['GET', 'PUT', 'PATCH'],
    payloadLimit,
    handle: (request) => api.handle(request),
  }));
  try {
    if (profile.modern) await bindLikeFirecracker(socketPath);
    await server.listen(socketPath);
  } catch (e) {
    const err = OsError.from(e);
    if (profile.modern) {
      mainError(EXIT_GENERIC, `RunWithApiError error: Failed to open the API socket at: ${socketPath}. Check that it is not already used.`, `RunWithApi(FailedToBindSocket(${JSON.stringify(socketPath)}))`);
    }
    if (profile.v1) {
      logger.log('ERROR', 'fc_api', profile.origin.socketInUse, `Failed to open the API socket at: ${socketPath}. Check that it is not already used.`);
    } else {
      logger.log('ERROR', 'fc_api', profile.origin.socketInUse, `Error creating the HTTP server: IO error: ${err.display()}`);
    }
    exit(EXIT_GENERIC);
  }
  if (profile.modern) logger.log('INFO', 'fc_api', '', 'API server started.');
  if (configJson !== undefined) startFromConfig(vmm, configJson);
}

/**
 * v1.16 binds the socket file before it listens: for a moment the path exists and refuses
 * connections (seen on the real binary). The double reproduces that window.
 */
function bindLikeFirecracker(socketPath: string): Promise<void> {
  const created = tryOs(() => fs.openSync(socketPath, 'wx'));
  if (!created.ok) return Promise.reject(Object.assign(new Error('bind'), { code: created.error.code === 17 ? 'EADDRINUSE' : codeName(created.error) }));
  fs.closeSync(created.value);
  return new Promise((resolve) => {
    setTimeout(() => {
      tryOs(() => { fs.unlinkSync(socketPath); });
      resolve();
    }, 5);
  });
}

function codeName(err: OsError): string {
  const names: Record<number, string> = { 2: 'ENOENT', 13: 'EACCES', 20: 'ENOTDIR', 30: 'EROFS' };
  return names[err.code] ?? 'EIO';
}

function startFromConfig(vmm: Vmm, json: string): void {
  const result = buildFromJson(profile, vmm, json);
  if (result.ok) {
    logger.log('INFO', 'main', '', 'Successfully started microvm that was configured from one single json');
    return;
  }
  if (profile.modern) {
    mainError(EXIT_GENERIC, `RunWithApiError error: Failed to build MicroVM from Json: ${result.display}`, `RunWithApi(BuildFromJson(${result.debug}))`);
  }
  mainError(EXIT_BAD_CONFIGURATION, result.display, '');
}

function snapshotLoadFailed(code: number): void {
  if (profile.modern) {
    mainError(code, 'RunWithApiError error: Failed to build MicroVM: Loading snapshot failed..', 'RunWithApi(BuildMicroVmError(Restore))');
  }
  exit(code);
}

/** The guest stopped the VMM (reset) or the VMM failed; answers already given still go out. */
function guestExit(code: number): void {
  if (apiServer === undefined) {
    vmmStopped(code);
    return;
  }
  void apiServer.drain().then(() => { vmmStopped(code); });
}

function vmmStopped(code: number): void {
  if (code === 0) exit(0);
  if (profile.modern) {
    mainError(code, 'RunWithApiError error: MicroVM stopped with an error: GenericError', 'RunWithApi(MicroVMStoppedWithError(GenericError))');
  }
  logger.log('ERROR', 'fc_vcpu 0', 'src/vmm/src/vstate/vcpu/mod.rs:478', 'Unexpected exit reason on vcpu run: InternalError');
  exit(code);
}

function writeSerial(vmm: Vmm, text: string): void {
  const out = vmm.resources.state.serialOutPath;
  if (out !== null) {
    if (serialFd === undefined) {
      const opened = tryOs(() => fs.openSync(out, 'a'));
      if (opened.ok) serialFd = opened.value;
    }
    const fd = serialFd;
    if (fd !== undefined) {
      tryOs(() => fs.writeSync(fd, Buffer.from(text, 'latin1')));
      return;
    }
  }
  stdio.write('stdout', Buffer.from(text, 'latin1'));
}

/** After InstanceStart the serial console reads stdin; a terminal is put in raw mode. */
function attachConsole(guest: FakeGuest): void {
  metrics.startPeriodic();
  const stdin = process.stdin;
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    rawTty = true;
  }
  stdin.on('data', (chunk: Buffer) => { guest.input(chunk); });
  stdin.on('error', () => undefined);
}

stdio.onBrokenPipe = () => {
  // Firecracker's SIGPIPE handler only records it; the serial bytes are lost.
  logger.log('ERROR', 'main', '', 'Received signal 13, code 0.');
};
process.on('SIGHUP', () => {
  logger.log('ERROR', 'main', '', 'Shutting down VM after intercepting signal 1, code 0.');
  exit(EXIT_SIGHUP);
});

main();
