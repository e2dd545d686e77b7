// `fcvirt plan FILE [--firecracker-version X.Y.Z]`: the Firecracker API requests a domain XML
// becomes, as the driver would send them. Prints only the JSON array, so it can be piped.
import { VirError } from '../../errors.js';
import { parseDomainXML } from '../../conf/index.js';
import type { ParseOptions } from '../../conf/domain-def.js';
import { planPaths, systemLayout } from '../../driver/paths.js';
import { buildPlan, withPlanDefaults, type PlanRequest } from '../../firecracker/plan/index.js';
import {
  checkSupportedVersion, formatVersion, NEWEST_KNOWN_VERSION, tryParseVersion, type FirecrackerVersion,
} from '../../firecracker/version.js';
import type { CliCommand } from '../command.js';
import { readXmlFile } from '../read-xml-file.js';

const VERSION_OPTION = '--firecracker-version';

/**
 * Parses a domain XML and plans it for `version` with what the driver would fill in at start
 * (the system layout's paths, tap names for bridges, CID 3 for an auto vsock).
 */
export function planDomainXML(xml: string, version: FirecrackerVersion, options?: ParseOptions): PlanRequest[] {
  const def = withPlanDefaults(parseDomainXML(xml, options));
  return buildPlan(def, version, planPaths(systemLayout(), def));
}

function parseVersionOption(text: string): FirecrackerVersion {
  const version = tryParseVersion(text);
  if (version === undefined) {
    throw new VirError('VIR_ERR_INVALID_ARG',
      `invalid Firecracker version '${text}': expected X.Y.Z, e.g. ${formatVersion(NEWEST_KNOWN_VERSION)}`);
  }
  return checkSupportedVersion(version);
}

interface PlanArguments {
  file: string;
  version: FirecrackerVersion;
}

// Options as virsh takes them: `--opt VALUE` or `--opt=VALUE`, anywhere among the arguments;
// its messages for what is wrong.
function parsePlanArguments(args: string[]): PlanArguments {
  const files: string[] = [];
  let versionText: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === VERSION_OPTION) {
      versionText = args[++index];
      if (versionText === undefined) {
        throw new VirError('VIR_ERR_INVALID_ARG', `expected syntax: ${VERSION_OPTION} <X.Y.Z>`, { verbatim: true });
      }
    } else if (arg.startsWith(`${VERSION_OPTION}=`)) {
      versionText = arg.slice(VERSION_OPTION.length + 1);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new VirError('VIR_ERR_INVALID_ARG', `command 'plan' doesn't support option ${arg}`, { verbatim: true });
    } else {
      files.push(arg);
    }
  }
  const [file, ...extra] = files;
  if (file === undefined) throw new VirError('VIR_ERR_INVALID_ARG', "command 'plan' requires <file> option", { verbatim: true });
  if (extra.length > 0) throw new VirError('VIR_ERR_INVALID_ARG', `unexpected data '${extra.join(' ')}'`, { verbatim: true });
  return { file, version: versionText === undefined ? NEWEST_KNOWN_VERSION : parseVersionOption(versionText) };
}

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'print the Firecracker API requests a domain XML becomes',
  usage: `plan FILE [${VERSION_OPTION} X.Y.Z]`,
  run: async (args, context) => {
    const { file, version } = parsePlanArguments(args);
    const plan = planDomainXML(await readXmlFile(file), version);
    context.stdout(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  },
};
