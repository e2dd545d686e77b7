import { DOMAIN_MEMORY_STAT_NR } from '../../api/constants.js';
import { DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

/** virsh's names for the memory statistic tags (virDomainMemoryStatTags), by tag. */
const statNames = [
  'swap_in', 'swap_out', 'major_fault', 'minor_fault', 'unused', 'available', 'actual', 'rss',
  'usable', 'last_update', 'disk_caches', 'hugetlb_pgalloc', 'hugetlb_pgfail',
];

export const dommemstat = virshVerb({
  name: 'dommemstat',
  summary: 'get memory statistics for a domain',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      const name = options.required('domain');
      const domain = await lookupDomain(connection, name);
      let stats;
      try {
        stats = await domain.memoryStats(DOMAIN_MEMORY_STAT_NR, 0);
      } catch (error) {
        throw failWith(`Failed to get memory statistics for domain ${name}`, error);
      }
      context.stdout(stats.map((stat) => `${statNames[stat.tag] ?? String(stat.tag)} ${stat.val}\n`).join(''));
    });
  },
});
