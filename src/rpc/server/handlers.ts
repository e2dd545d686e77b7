// What each implemented procedure does with the client's Connection. Procedures the
// Connection interface has no method for answer what libvirt's drivers answer for a domain
// without that feature (no managed save, no snapshots, no security driver, no messages), so
// virsh prints exactly what it prints for such a domain.

import type { Connection, Domain, DomainRef } from '../../api/connection.js';
import { ListDomainsFlags, DomainMemoryModFlags, DomainVcpuFlags, DomainXMLFlags, DOMAIN_EVENT_ID_LAST } from '../../api/constants.js';
import { VirError } from '../../errors.js';
import { DrvFeature, REMOTE_DOMAIN_MEMORY_STATS_MAX } from '../protocol/constants.js';
import type { ArgsOf, ProcedureKey, RetOf } from '../protocol/procedures.js';

/** What a handler may use besides its arguments. */
export interface CallContext {
  readonly conn: Connection;
  readonly readOnly: boolean;
  /** Opens a console stream for the call's serial. */
  openConsole(domain: Domain, devName: string | null, flags: number): Promise<void>;
  registerEvent(eventId: number, domain: DomainRef | null): Promise<number>;
  deregisterEvent(callbackId: number): Promise<void>;
  setCloseCallback(registered: boolean): void;
  /** CONNECT_CLOSE: closes the Connection; the session answers and forgets it. */
  closeConnection(): Promise<void>;
}

export type Handler<K extends ProcedureKey> = (ctx: CallContext, args: ArgsOf<K>) => Promise<RetOf<K>>;
export type HandlerTable = { [K in ProcedureKey]?: Handler<K> };

function ref(domain: Domain): DomainRef {
  return { name: domain.name, uuid: domain.uuid, id: domain.id };
}

/** The Connection's Domain for a remote_nonnull_domain: libvirt's drivers look up by UUID. */
function lookup(ctx: CallContext, domain: DomainRef): Promise<Domain> {
  return ctx.conn.lookupByUUID(domain.uuid);
}

/** Features a client may ask about after open (PROGRAM_KEEPALIVE is handled before open). */
export function supportsFeature(feature: number): boolean {
  switch (feature) {
    case DrvFeature.PROGRAM_KEEPALIVE:
    case DrvFeature.REMOTE_EVENT_CALLBACK:
    case DrvFeature.REMOTE_CLOSE_CALLBACK:
    case DrvFeature.TYPED_PARAM_STRING:
      return true;
    default:
      return false;
  }
}

export const handlers: HandlerTable = {
  connectClose: async (ctx) => {
    await ctx.closeConnection();
    return undefined;
  },
  connectGetType: async (ctx) => ({ type: await ctx.conn.getType() }),
  connectGetVersion: async (ctx) => ({ hvVer: await ctx.conn.getVersion() }),
  connectGetLibVersion: async (ctx) => ({ libVer: await ctx.conn.getLibVersion() }),
  connectGetHostname: async (ctx) => ({ hostname: await ctx.conn.getHostname() }),
  connectGetCapabilities: async (ctx) => ({ capabilities: await ctx.conn.getCapabilities() }),
  connectGetURI: (ctx) => Promise.resolve({ uri: ctx.conn.uri }),
  // A UNIX socket to a local daemon is what libvirt's local drivers call secure.
  connectIsSecure: () => Promise.resolve({ secure: true }),
  connectSupportsFeature: (_ctx, args) => Promise.resolve({ supported: supportsFeature(args.feature) }),
  nodeGetInfo: (ctx) => ctx.conn.nodeGetInfo(),
  // No security driver confines Firecracker guests: an empty model makes virsh skip the lines.
  nodeGetSecurityModel: () => Promise.resolve({ model: '', doi: '' }),

  connectListAllDomains: async (ctx, args) => {
    const domains = await ctx.conn.listAllDomains(args.flags);
    return { domains: args.needResults !== 0 ? domains.map(ref) : [], ret: domains.length };
  },
  connectNumOfDomains: async (ctx) => ({
    num: (await ctx.conn.listAllDomains(ListDomainsFlags.ACTIVE)).length,
  }),
  connectListDomains: async (ctx, args) => {
    if (args.maxids < 0) throw new VirError('VIR_ERR_INVALID_ARG', 'maxids in virConnectListDomains must be >= 0');
    const domains = await ctx.conn.listAllDomains(ListDomainsFlags.ACTIVE);
    return { ids: domains.map((domain) => domain.id).slice(0, args.maxids) };
  },
  connectNumOfDefinedDomains: async (ctx) => ({
    num: (await ctx.conn.listAllDomains(ListDomainsFlags.INACTIVE)).length,
  }),
  connectListDefinedDomains: async (ctx, args) => {
    if (args.maxnames < 0) {
      throw new VirError('VIR_ERR_INVALID_ARG', 'maxnames in virConnectListDefinedDomains must be >= 0');
    }
    const domains = await ctx.conn.listAllDomains(ListDomainsFlags.INACTIVE);
    return { names: domains.map((domain) => domain.name).slice(0, args.maxnames) };
  },

  domainLookupByID: async (ctx, args) => ({ dom: ref(await ctx.conn.lookupByID(args.id)) }),
  domainLookupByName: async (ctx, args) => ({ dom: ref(await ctx.conn.lookupByName(args.name)) }),
  domainLookupByUUID: async (ctx, args) => ({ dom: ref(await ctx.conn.lookupByUUID(args.uuid)) }),
  domainDefineXML: async (ctx, args) => ({ dom: ref(await ctx.conn.defineXML(args.xml, 0)) }),
  domainDefineXMLFlags: async (ctx, args) => ({ dom: ref(await ctx.conn.defineXML(args.xml, args.flags)) }),
  domainCreateXML: async (ctx, args) => ({ dom: ref(await ctx.conn.createXML(args.xmlDesc, args.flags)) }),

  domainCreate: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).create(0);
    return undefined;
  },
  domainCreateWithFlags: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).create(args.flags);
    // The reply carries the domain with its new id.
    return { dom: ref(await ctx.conn.lookupByUUID(args.dom.uuid)) };
  },
  domainShutdown: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).shutdown(0);
    return undefined;
  },
  domainShutdownFlags: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).shutdown(args.flags);
    return undefined;
  },
  domainDestroy: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).destroy(0);
    return undefined;
  },
  domainDestroyFlags: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).destroy(args.flags);
    return undefined;
  },
  domainReboot: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).reboot(args.flags);
    return undefined;
  },
  domainSuspend: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).suspend();
    return undefined;
  },
  domainResume: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).resume();
    return undefined;
  },
  domainUndefine: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).undefine(0);
    return undefined;
  },
  domainUndefineFlags: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).undefine(args.flags);
    return undefined;
  },
  domainSetAutostart: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).setAutostart(args.autostart);
    return undefined;
  },

  domainGetState: async (ctx, args) => (await lookup(ctx, args.dom)).getState(),
  domainGetInfo: async (ctx, args) => (await lookup(ctx, args.dom)).getInfo(),
  domainGetMaxMemory: async (ctx, args) => ({ memory: (await (await lookup(ctx, args.dom)).getInfo()).maxMemKiB }),
  domainGetOSType: async (ctx, args) => ({ type: await (await lookup(ctx, args.dom)).getOSType() }),
  domainGetMaxVcpus: async (ctx, args) => ({ num: await (await lookup(ctx, args.dom)).getMaxVcpus() }),
  domainGetVcpusFlags: async (ctx, args) => {
    // libvirt: asking the guest agent needs write access; the configured counts do not.
    if (ctx.readOnly && (args.flags & DomainVcpuFlags.GUEST) !== 0) {
      throw new VirError('VIR_ERR_OPERATION_DENIED', 'read only access prevents virDomainGetVcpusFlags', { domain: 'VIR_FROM_DOMAIN' });
    }
    return { num: await (await lookup(ctx, args.dom)).getVcpusFlags(args.flags) };
  },
  connectGetMaxVcpus: async (ctx, args) => ({ maxVcpus: await ctx.conn.getMaxVcpus(args.type) }),
  // virDomainSetMemory is virDomainSetMemoryFlags with AFFECT_LIVE.
  domainSetMemory: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).setMemoryFlags(args.memory, DomainMemoryModFlags.LIVE);
    return undefined;
  },
  domainSetMemoryFlags: async (ctx, args) => {
    await (await lookup(ctx, args.dom)).setMemoryFlags(args.memory, args.flags);
    return undefined;
  },
  domainMemoryStats: async (ctx, args) => {
    if (args.maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', 'maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX');
    }
    return { stats: await (await lookup(ctx, args.dom)).memoryStats(args.maxStats, args.flags) };
  },
  domainGetXMLDesc: async (ctx, args) => {
    if (ctx.readOnly && (args.flags & DomainXMLFlags.SECURE) !== 0) {
      throw new VirError('VIR_ERR_OPERATION_DENIED', 'virDomainGetXMLDesc with secure flag', { domain: 'VIR_FROM_DOMAIN' });
    }
    return { xml: await (await lookup(ctx, args.dom)).getXMLDesc(args.flags) };
  },
  domainGetAutostart: async (ctx, args) => ({ autostart: await (await lookup(ctx, args.dom)).getAutostart() }),
  domainIsActive: async (ctx, args) => ({ active: await (await lookup(ctx, args.dom)).isActive() }),
  domainIsPersistent: async (ctx, args) => ({ persistent: await (await lookup(ctx, args.dom)).isPersistent() }),
  domainHasManagedSaveImage: async (ctx, args) => ({
    result: await (await lookup(ctx, args.dom)).hasManagedSaveImage(args.flags),
  }),
  domainSnapshotNum: async (ctx, args) => {
    await lookup(ctx, args.dom);
    return { num: 0 };
  },
  domainGetMessages: async (ctx, args) => {
    await lookup(ctx, args.dom);
    return { msgs: [] };
  },
  domainGetSecurityLabel: async (ctx, args) => {
    await lookup(ctx, args.dom);
    return { label: '', enforcing: 0 };
  },
  domainGetSecurityLabelList: async (ctx, args) => {
    await lookup(ctx, args.dom);
    return { labels: [], ret: 0 };
  },

  domainOpenConsole: async (ctx, args) => {
    await ctx.openConsole(await lookup(ctx, args.dom), args.devName, args.flags);
    return undefined;
  },

  connectDomainEventCallbackRegisterAny: async (ctx, args) => {
    if (args.eventID < 0 || args.eventID >= DOMAIN_EVENT_ID_LAST) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `unsupported event ID ${args.eventID}`);
    }
    return { callbackID: await ctx.registerEvent(args.eventID, args.dom) };
  },
  connectDomainEventCallbackDeregisterAny: async (ctx, args) => {
    await ctx.deregisterEvent(args.callbackID);
    return undefined;
  },
  connectRegisterCloseCallback: (ctx) => {
    ctx.setCloseCallback(true);
    return Promise.resolve(undefined);
  },
  connectUnregisterCloseCallback: (ctx) => {
    ctx.setCloseCallback(false);
    return Promise.resolve(undefined);
  },
};
