// What differs between the Firecracker versions the double plays: command-line arguments,
// help and version texts, where log lines come from. Texts are as the real binaries printed
// them (test/data/firecracker-trace/); source locations are those of the tagged sources.

export type FcVersion = '0.25.2' | '1.3.3' | '1.16.1';
export const SUPPORTED_VERSIONS: readonly FcVersion[] = ['0.25.2', '1.3.3', '1.16.1'];
export const DEFAULT_VERSION: FcVersion = '1.16.1';

export interface ArgSpec {
  name: string;
  takesValue: boolean;
  defaultValue?: string;
  requires?: string;
  forbids?: string[];
}

export interface Profile {
  version: FcVersion;
  /** v1.x: `smt`, `/version`, MMDS v2 ... */
  v1: boolean;
  /** v1.16: prefixed fault messages, logs on stdout at Info, DELETE understood. */
  modern: boolean;
  args: ArgSpec[];
  help: string;
  /** The line `--version` prints after the version (0.25 and 1.3 list snapshot formats). */
  snapshotVersionsLine: string | undefined;
  /** file:line of the log statements the double reproduces (older versions show origins). */
  origin: {
    argParse: string;
    panic: string;
    genericError: string;
    apiActionError: string;
    apiParseError: string;
    deprecation: string;
    devPreview: string;
    socketInUse: string;
    seccompLevelWarn: string;
    vmmExit: string;
  };
  /** Where `expect()` panics in main.rs: line:column. */
  panicAt: { instanceId: string; configFile: string; metadata: string };
  /** The binary's default for --http-api-max-payload-size. */
  payloadLimit: number;
}

const common = (names: [string, Partial<ArgSpec>?][]): ArgSpec[] =>
  names.map(([name, spec]) => ({ name, takesValue: false, ...spec }));

const v = { takesValue: true };

const HELP_0_25 = `optional arguments:
  --api-sock <api-sock>                                     Path to unix domain socket used by the API. [default: "/run/firecracker.socket"]
  --boot-timer                                              Whether or not to load boot timer device for logging elapsed time since InstanceStart command.
  --config-file <config-file>                               Path to a file that contains the microVM configuration in JSON format.
  --describe-snapshot <describe-snapshot>                   Print the data format version of the provided snapshot state file.
  --help                                                    Show the help message.
  --http-api-max-payload-size <http-api-max-payload-size>   Http API request payload max size.
  --id <id>                                                 MicroVM unique identifier. [default: "anonymous-instance"]
  --level <level>                                           Set the logger level. [default: "Warning"]
  --log-path <log-path>                                     Path to a fifo or a file used for configuring the logger on startup.
  --no-api                                                  Optional parameter which allows starting and using a microVM without an active API socket.
  --no-seccomp                                              Optional parameter which allows starting and using a microVM without seccomp filtering. Not recommended.
  --parent-cpu-time-us <parent-cpu-time-us>                 Parent process CPU time (wall clock, microseconds). This parameter is optional.
  --seccomp-filter <seccomp-filter>                         Optional parameter which allows specifying the path to a custom seccomp filter. For advanced users.
  --seccomp-level <seccomp-level>                           Deprecated! Level of seccomp filtering (0: no filter | 1: filter by syscall number | 2: filter by syscall number and argument values.
  --show-level                                              Whether or not to output the level in the logs.
  --show-log-origin                                         Whether or not to include the file path and line number of the log's origin.
  --start-time-cpu-us <start-time-cpu-us>                   Process start CPU time (wall clock, microseconds). This parameter is optional.
  --start-time-us <start-time-us>                           Process start time (wall clock, microseconds). This parameter is optional.
  --version                                                 Print the binary version number and a list of supported snapshot data format versions.`;

const HELP_1_3 = `optional arguments:
  --api-sock <api-sock>                                     Path to unix domain socket used by the API. [default: "/run/firecracker.socket"]
  --boot-timer                                              Whether or not to load boot timer device for logging elapsed time since InstanceStart command.
  --config-file <config-file>                               Path to a file that contains the microVM configuration in JSON format.
  --describe-snapshot <describe-snapshot>                   Print the data format version of the provided snapshot state file.
  --help                                                    Show the help message.
  --http-api-max-payload-size <http-api-max-payload-size>   Http API request payload max size, in bytes. [default: "51200"]
  --id <id>                                                 MicroVM unique identifier. [default: "anonymous-instance"]
  --level <level>                                           Set the logger level. [default: "Warning"]
  --log-path <log-path>                                     Path to a fifo or a file used for configuring the logger on startup.
  --metadata <metadata>                                     Path to a file that contains metadata in JSON format to add to the mmds.
  --metrics-path <metrics-path>                             Path to a fifo or a file used for configuring the metrics on startup.
  --mmds-size-limit <mmds-size-limit>                       Mmds data store limit, in bytes.
  --no-api                                                  Optional parameter which allows starting and using a microVM without an active API socket.
  --no-seccomp                                              Optional parameter which allows starting and using a microVM without seccomp filtering. Not recommended.
  --parent-cpu-time-us <parent-cpu-time-us>                 Parent process CPU time (wall clock, microseconds). This parameter is optional.
  --seccomp-filter <seccomp-filter>                         Optional parameter which allows specifying the path to a custom seccomp filter. For advanced users.
  --show-level                                              Whether or not to output the level in the logs.
  --show-log-origin                                         Whether or not to include the file path and line number of the log's origin.
  --start-time-cpu-us <start-time-cpu-us>                   Process start CPU time (wall clock, microseconds). This parameter is optional.
  --start-time-us <start-time-us>                           Process start time (wall clock, microseconds). This parameter is optional.
  --version                                                 Print the binary version number and a list of supported snapshot data format versions.`;

const HELP_1_16 = `optional arguments:
  --api-sock <api-sock>                                     Path to unix domain socket used by the API. [default: "/run/firecracker.socket"]
  --boot-timer                                              Whether or not to load boot timer device for logging elapsed time since InstanceStart command.
  --config-file <config-file>                               Path to a file that contains the microVM configuration in JSON format.
  --describe-snapshot <describe-snapshot>                   Print the data format version of the provided snapshot state file.
  --enable-pci                                              Enables PCIe support.
  --help                                                    Show the help message.
  --http-api-max-payload-size <http-api-max-payload-size>   Http API request payload max size, in bytes. [default: "51200"]
  --id <id>                                                 MicroVM unique identifier. [default: "anonymous-instance"]
  --level <level>                                           Set the logger level.
  --log-path <log-path>                                     Path to a fifo or a file used for configuring the logger on startup.
  --metadata <metadata>                                     Path to a file that contains metadata in JSON format to add to the mmds.
  --metrics-path <metrics-path>                             Path to a fifo or a file used for configuring the metrics on startup.
  --mmds-size-limit <mmds-size-limit>                       Mmds data store limit, in bytes.
  --module <module>                                         Set the logger module filter.
  --no-api                                                  Optional parameter which allows starting and using a microVM without an active API socket.
  --no-seccomp                                              Optional parameter which allows starting and using a microVM without seccomp filtering. Not recommended.
  --parent-cpu-time-us <parent-cpu-time-us>                 Parent process CPU time (wall clock, microseconds). This parameter is optional.
  --seccomp-filter <seccomp-filter>                         Optional parameter which allows specifying the path to a custom seccomp filter. For advanced users.
  --show-level                                              Whether or not to output the level in the logs.
  --show-log-origin                                         Whether or not to include the file path and line number of the log's origin.
  --snapshot-version                                        Print the supported data format version.
  --start-time-cpu-us <start-time-cpu-us>                   Process start CPU time (wall clock, microseconds). This parameter is optional.
  --start-time-us <start-time-us>                           Process start time (wall clock, microseconds). This parameter is optional.
  --version                                                 Print the binary version number.`;

const PROFILES: Record<FcVersion, Profile> = {
  '0.25.2': {
    version: '0.25.2',
    v1: false,
    modern: false,
    args: common([
      ['api-sock', { ...v, defaultValue: '/run/firecracker.socket' }],
      ['id', { ...v, defaultValue: 'anonymous-instance' }],
      ['seccomp-level', v],
      ['seccomp-filter', { ...v, forbids: ['seccomp-level', 'no-seccomp'] }],
      ['no-seccomp', { forbids: ['seccomp-level'] }],
      ['start-time-us', v],
      ['start-time-cpu-us', v],
      ['parent-cpu-time-us', v],
      ['config-file', v],
      ['no-api', { requires: 'config-file' }],
      ['log-path', v],
      ['level', { ...v, requires: 'log-path', defaultValue: 'Warning' }],
      ['show-level', { requires: 'log-path' }],
      ['show-log-origin', { requires: 'log-path' }],
      ['boot-timer'],
      ['version'],
      ['describe-snapshot', v],
      ['http-api-max-payload-size', v],
    ]),
    help: HELP_0_25,
    snapshotVersionsLine: 'Supported snapshot data format versions: v0.23.0, v0.24.0, v0.25.0',
    origin: {
      argParse: 'src/firecracker/src/main.rs:212',
      panic: 'src/firecracker/src/main.rs:89',
      genericError: 'src/firecracker/src/main.rs:375',
      apiActionError: 'src/api_server/src/parsed_request.rs:128',
      apiParseError: 'src/api_server/src/lib.rs:259',
      deprecation: 'src/api_server/src/lib.rs:259',
      devPreview: 'src/logger/src/lib.rs:34',
      socketInUse: 'src/api_server/src/lib.rs:175',
      seccompLevelWarn: 'src/firecracker/src/main.rs:383',
      vmmExit: 'src/vmm/src/lib.rs:703',
    },
    panicAt: { instanceId: '246:48', configFile: '300:20', metadata: '300:20' },
    payloadLimit: 51200,
  },
  '1.3.3': {
    version: '1.3.3',
    v1: true,
    modern: false,
    args: common([
      ['api-sock', { ...v, defaultValue: '/run/firecracker.socket' }],
      ['id', { ...v, defaultValue: 'anonymous-instance' }],
      ['seccomp-filter', { ...v, forbids: ['no-seccomp'] }],
      ['no-seccomp', { forbids: ['seccomp-filter'] }],
      ['start-time-us', v],
      ['start-time-cpu-us', v],
      ['parent-cpu-time-us', v],
      ['config-file', v],
      ['metadata', v],
      ['no-api', { requires: 'config-file' }],
      ['log-path', v],
      ['level', { ...v, requires: 'log-path', defaultValue: 'Warning' }],
      ['show-level', { requires: 'log-path' }],
      ['show-log-origin', { requires: 'log-path' }],
      ['metrics-path', v],
      ['boot-timer'],
      ['version'],
      ['describe-snapshot', v],
      ['http-api-max-payload-size', { ...v, defaultValue: '51200' }],
      ['mmds-size-limit', v],
    ]),
    help: HELP_1_3,
    snapshotVersionsLine:
      'Supported snapshot data format versions: v0.23.0, v0.24.0, v0.25.0, v1.0.0, v1.1.0, v1.2.0, v1.3.0',
    origin: {
      argParse: 'src/firecracker/src/main.rs:234',
      panic: 'src/firecracker/src/main.rs:95',
      genericError: 'src/firecracker/src/main.rs:428',
      apiActionError: 'src/api_server/src/parsed_request.rs:190',
      apiParseError: 'src/api_server/src/lib.rs:246',
      deprecation: 'src/api_server/src/lib.rs:240',
      devPreview: 'src/logger/src/lib.rs:34',
      socketInUse: 'src/firecracker/src/api_server_adapter.rs:163',
      seccompLevelWarn: '',
      vmmExit: 'src/vmm/src/lib.rs:777',
    },
    panicAt: { instanceId: '269:48', configFile: '331:20', metadata: '336:20' },
    payloadLimit: 51200,
  },
  '1.16.1': {
    version: '1.16.1',
    v1: true,
    modern: true,
    args: common([
      ['api-sock', { ...v, defaultValue: '/run/firecracker.socket' }],
      ['id', { ...v, defaultValue: 'anonymous-instance' }],
      ['seccomp-filter', { ...v, forbids: ['no-seccomp'] }],
      ['no-seccomp', { forbids: ['seccomp-filter'] }],
      ['start-time-us', v],
      ['start-time-cpu-us', v],
      ['parent-cpu-time-us', v],
      ['config-file', v],
      ['metadata', v],
      ['no-api', { requires: 'config-file' }],
      ['log-path', v],
      ['level', v],
      ['module', v],
      ['show-level'],
      ['show-log-origin'],
      ['metrics-path', v],
      ['boot-timer'],
      ['version'],
      ['snapshot-version'],
      ['describe-snapshot', v],
      ['http-api-max-payload-size', { ...v, defaultValue: '51200' }],
      ['mmds-size-limit', v],
      ['enable-pci'],
    ]),
    help: HELP_1_16,
    snapshotVersionsLine: undefined,
    origin: {
      argParse: '',
      panic: '',
      genericError: '',
      apiActionError: 'src/firecracker/src/api_server/parsed_request.rs:225',
      apiParseError: 'src/firecracker/src/api_server/mod.rs:141',
      deprecation: 'src/firecracker/src/api_server/mod.rs:135',
      devPreview: '',
      socketInUse: '',
      seccompLevelWarn: '',
      vmmExit: 'src/vmm/src/lib.rs:690',
    },
    panicAt: { instanceId: '309:48', configFile: '388:20', metadata: '393:20' },
    payloadLimit: 51200,
  },
};

export function profileFor(version: FcVersion): Profile {
  return PROFILES[version];
}

export function isFcVersion(value: string): value is FcVersion {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(value);
}
