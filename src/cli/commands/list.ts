import { ListDomainsFlags } from '../../api/constants.js';
import type { Domain } from '../../api/connection.js';
import { CommandError, stateString, virshVerb, withConnection } from '../virsh-command.js';
import { formatTable } from '../vsh-table.js';

const FILTERS: [string, number][] = [
  ['persistent', ListDomainsFlags.PERSISTENT],
  ['transient', ListDomainsFlags.TRANSIENT],
  ['with-managed-save', ListDomainsFlags.MANAGEDSAVE],
  ['without-managed-save', ListDomainsFlags.NO_MANAGEDSAVE],
  ['autostart', ListDomainsFlags.AUTOSTART],
  ['no-autostart', ListDomainsFlags.NO_AUTOSTART],
  ['with-snapshot', ListDomainsFlags.HAS_SNAPSHOT],
  ['without-snapshot', ListDomainsFlags.NO_SNAPSHOT],
  ['with-checkpoint', ListDomainsFlags.HAS_CHECKPOINT],
  ['without-checkpoint', ListDomainsFlags.NO_CHECKPOINT],
  ['state-running', ListDomainsFlags.RUNNING],
  ['state-paused', ListDomainsFlags.PAUSED],
  ['state-shutoff', ListDomainsFlags.SHUTOFF],
  ['state-other', ListDomainsFlags.OTHER],
];

/** virsh's order: running domains by id, then the others by name, ignoring case. */
function compareDomains(a: Domain, b: Domain): number {
  if (a.id !== -1 && b.id !== -1) return a.id - b.id;
  if (a.id !== -1) return -1;
  if (b.id !== -1) return 1;
  return a.name.toLowerCase().localeCompare(b.name.toLowerCase());
}

function titleOf(xml: string): string {
  const match = /<title>([\s\S]*?)<\/title>/.exec(xml);
  const text = match?.[1] ?? '';
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&').split('\n')[0] ?? '';
}

export const list = virshVerb({
  name: 'list',
  summary: 'list domains',
  options: [
    { name: 'inactive', type: 'bool', help: 'list inactive domains' },
    { name: 'all', type: 'bool', help: 'list inactive & active domains' },
    ...FILTERS.map(([name]) => ({ name, type: 'bool' as const, help: `list ${name.replace(/-/g, ' ')} domains` })),
    { name: 'uuid', type: 'bool', help: 'list uuid\'s only' },
    { name: 'name', type: 'bool', help: 'list domain names only' },
    { name: 'id', type: 'bool', help: 'list domain IDs only' },
    { name: 'table', type: 'bool', help: 'list table (default)' },
    { name: 'managed-save', type: 'bool', help: 'mark inactive domains with managed save state' },
    { name: 'title', type: 'bool', help: 'show domain title' },
  ],
  async run(options, context) {
    let flags: number = ListDomainsFlags.ACTIVE;
    if (options.bool('inactive') || options.bool('state-shutoff')) flags = ListDomainsFlags.INACTIVE;
    if (options.bool('all')) flags = ListDomainsFlags.ACTIVE | ListDomainsFlags.INACTIVE;
    for (const [name, flag] of FILTERS) if (options.bool(name)) flags |= flag;
    const optUuid = options.bool('uuid');
    const optName = options.bool('name');
    const optId = options.bool('id');
    const optTitle = options.bool('title');
    for (const [other, given] of [['name', optName], ['id', optId], ['uuid', optUuid]] as const) {
      if (options.bool('table') && given) throw new CommandError([`Options --table and --${other} are mutually exclusive`]);
    }
    const optTable = options.bool('table') || (!optUuid && !optName && !optId);
    await withConnection(context, async (connection) => {
      const domains = (await connection.listAllDomains(flags)).sort(compareDomains);
      if (!optTable) {
        let out = '';
        for (const domain of domains) {
          const fields: string[] = [];
          if (optUuid) fields.push(domain.uuid);
          if (optId) {
            if (domain.id === -1 && !optUuid && !optName) continue;
            fields.push(domain.id === -1 ? '-' : String(domain.id));
          }
          if (optName) fields.push(domain.name);
          out += `${fields.join(' ')}\n`;
        }
        context.stdout(out);
        return;
      }
      const header = ['Id', 'Name', 'State', ...(optTitle ? ['Title'] : [])];
      const rows: string[][] = [];
      for (const domain of domains) {
        let state: number;
        try {
          state = (await domain.getState()).state;
        } catch {
          continue; // removed in the meantime, as virsh skips it
        }
        const row = [domain.id === -1 ? '-' : String(domain.id), domain.name, stateString(state)];
        if (optTitle) row.push(titleOf(await domain.getXMLDesc(0)));
        rows.push(row);
      }
      context.stdout(formatTable(header, rows));
    });
  },
});
