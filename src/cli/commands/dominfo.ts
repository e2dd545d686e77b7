import { DOMAIN_OPTION, lookupDomain, stateString, virshVerb, withConnection } from '../virsh-command.js';

function field(label: string, value: string): string {
  return `${label.padEnd(15)} ${value}\n`;
}

export const dominfo = virshVerb({
  name: 'dominfo',
  summary: 'domain information',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'));
      let out = field('Id:', domain.id === -1 ? '-' : String(domain.id));
      out += field('Name:', domain.name);
      out += field('UUID:', domain.uuid);
      out += field('OS Type:', await domain.getOSType());
      const info = await domain.getInfo();
      out += field('State:', stateString(info.state));
      out += field('CPU(s):', String(info.nrVirtCpu));
      if (info.cpuTimeNs !== 0n) out += field('CPU time:', `${(Number(info.cpuTimeNs) / 1e9).toFixed(1)}s`);
      out += field('Max memory:', `${info.maxMemKiB} KiB`);
      out += field('Used memory:', `${info.memoryKiB} KiB`);
      out += field('Persistent:', (await domain.isPersistent()) ? 'yes' : 'no');
      out += field('Autostart:', (await domain.getAutostart()) ? 'enable' : 'disable');
      out += field('Managed save:', (await domain.hasManagedSaveImage(0)) ? 'yes' : 'no');
      context.stdout(out);
    });
  },
});
