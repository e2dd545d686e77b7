import { FCVIRT_VERSION } from '../../version.js';
import { virshVerb, withConnection } from '../virsh-command.js';

function dotted(version: number): string {
  return `${Math.floor(version / 1_000_000)}.${Math.floor(version / 1_000) % 1_000}.${version % 1_000}`;
}

export const version = virshVerb({
  name: 'version',
  summary: 'show version',
  options: [{ name: 'daemon', type: 'bool', help: 'report daemon version too' }],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      const type = await connection.getType();
      const lib = await connection.getLibVersion();
      let out = `Compiled against library: fcvirt ${FCVIRT_VERSION}\n`;
      out += `Using library: fcvirt ${FCVIRT_VERSION}\n`;
      out += `Using API: ${type} ${FCVIRT_VERSION}\n`;
      const hypervisor = await connection.getVersion();
      out += hypervisor === 0 ? `Cannot extract running ${type} hypervisor version\n` : `Running hypervisor: ${type} ${dotted(hypervisor)}\n`;
      if (options.bool('daemon')) out += `Running against daemon: ${dotted(lib)}\n`;
      context.stdout(out);
    });
  },
});
