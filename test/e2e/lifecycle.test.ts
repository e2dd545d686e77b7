// The domain lifecycle through the API, in embed mode, against each backend.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  DomainEventId,
  DomainEventType,
  DomainState,
  DomainXMLFlags,
  DomainCreateFlags,
  DomainVcpuFlags,
  DomainMemoryModFlags,
  DomainMemoryStatTag,
  PausedReason,
  ResumedDetail,
  RunningReason,
  ShutoffReason,
  StartedDetail,
  StoppedDetail,
  SuspendedDetail,
  DefinedDetail,
  UndefinedDetail,
  ListDomainsFlags,
} from '../../src/api/constants.js';
import type { Connection, DomainEvent } from '../../src/api/connection.js';
import { VirError } from '../../src/errors.js';
import { backends, domainXml, type Backend } from '../helpers/fc-backend.js';
import { makeEmbedRoot, processesUnder } from '../helpers/embed-root.js';
import { waitFor } from '../helpers/wait.js';

async function connect(t: TestContext): Promise<{ connection: Connection; root: string; events: DomainEvent[]; open: () => Promise<Connection> }> {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const connection = await embed.open();
  const events: DomainEvent[] = [];
  await connection.domainEventRegisterAny(null, DomainEventId.LIFECYCLE, (event) => events.push(event));
  await connection.domainEventRegisterAny(null, DomainEventId.REBOOT, (event) => events.push(event));
  return { connection, root, events, open: () => embed.open() };
}

function lifecycle(events: DomainEvent[]): [number, number][] {
  return events.flatMap((event) => (event.eventId === 0 ? [[event.event, event.detail] as [number, number]] : []));
}

async function expectVirError(promise: Promise<unknown>, code: string, message: RegExp | string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VirError, `not a VirError: ${String(error)}`);
    assert.equal(error.codeName, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

async function shutOff(connection: Connection, name: string, deadlineMs: number): Promise<void> {
  await waitFor(async () => {
    const domain = await connection.lookupByName(name).catch(() => undefined);
    return domain === undefined || (await domain.getState()).state === DomainState.SHUTOFF ? true : undefined;
  }, `domain ${name} to shut off`, deadlineMs);
}

function suite(backend: Backend): void {
  describe(`lifecycle against ${backend.name} Firecracker`, { skip: backend.skip, concurrency: 4 }, () => {
    test('define, start, suspend, resume, destroy, undefine — states, reasons, events, files', async (t) => {
      const { connection, root, events } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'demo' }));
      assert.equal(domain.id, -1);
      assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.UNKNOWN });
      assert.equal(await domain.isPersistent(), true);
      assert.equal(await domain.isActive(), false);
      await fs.access(path.join(root, 'etc/libvirt/fc/demo.xml'));

      await domain.create();
      assert.equal(domain.id, 1);
      assert.deepEqual(await domain.getState(), { state: DomainState.RUNNING, reason: RunningReason.BOOTED });
      const info = await domain.getInfo();
      assert.equal(info.state, DomainState.RUNNING);
      assert.equal(info.maxMemKiB, 131072);
      assert.equal(info.nrVirtCpu, 1);
      assert.equal(typeof info.cpuTimeNs, 'bigint');
      const live = await domain.getXMLDesc();
      assert.match(live, /<domain type='firecracker' id='1'/);
      assert.match(live, /<alias name='virtio-disk0'\/>/);
      assert.match(live, /<alias name='serial0'\/>/);
      const inactive = await domain.getXMLDesc(DomainXMLFlags.INACTIVE);
      assert.doesNotMatch(inactive, /id='1'|<alias/);
      const status = await fs.readFile(path.join(root, 'run/libvirt/fc/demo.xml'), 'utf8');
      assert.match(status, /^<domstatus state='running' reason='booted' pid='\d+' starttime='\d+'>/);
      assert.equal((await processesUnder(root)).length, 1);
      assert.equal((await connection.lookupByID(1)).name, 'demo');

      await domain.suspend();
      assert.deepEqual(await domain.getState(), { state: DomainState.PAUSED, reason: PausedReason.USER });
      await domain.suspend(); // already paused: nothing to do, as with libvirt's qemu driver
      await domain.resume();
      assert.deepEqual(await domain.getState(), { state: DomainState.RUNNING, reason: RunningReason.UNPAUSED });
      await expectVirError(domain.resume(), 'VIR_ERR_OPERATION_INVALID', 'Requested operation is not valid: domain is already running');
      await expectVirError(domain.create(), 'VIR_ERR_OPERATION_INVALID', 'Requested operation is not valid: domain is already running');

      await domain.destroy();
      assert.equal(domain.id, -1);
      assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.DESTROYED });
      assert.deepEqual(await processesUnder(root), []);
      await assert.rejects(fs.access(path.join(root, 'run/libvirt/fc/demo.xml')));
      assert.deepEqual((await fs.readdir(path.join(root, 'run/libvirt/fc'))).filter((entry) => !entry.startsWith('driver.lock') && entry !== 'fc-autostarted' && !entry.endsWith('.shutoff')), []);
      await expectVirError(domain.destroy(), 'VIR_ERR_OPERATION_INVALID', 'Requested operation is not valid: domain is not running');

      await domain.undefine();
      await expectVirError(connection.lookupByName('demo'), 'VIR_ERR_NO_DOMAIN', "Domain not found: no domain with matching name 'demo'");
      await assert.rejects(fs.access(path.join(root, 'etc/libvirt/fc/demo.xml')));
      await waitFor(() => events.length >= 6, 'the events');
      assert.deepEqual(lifecycle(events), [
        [DomainEventType.DEFINED, DefinedDetail.ADDED],
        [DomainEventType.STARTED, StartedDetail.BOOTED],
        [DomainEventType.SUSPENDED, SuspendedDetail.PAUSED],
        [DomainEventType.RESUMED, ResumedDetail.UNPAUSED],
        [DomainEventType.STOPPED, StoppedDetail.DESTROYED],
        [DomainEventType.UNDEFINED, UndefinedDetail.REMOVED],
      ]);
    });

    test('shutdown asks the guest and returns; the exit is a shutdown (or destroy when ignored)', async (t) => {
      const { connection, events } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'quiet' }));
      await domain.create();
      await domain.shutdown();
      try {
        await shutOff(connection, 'quiet', backend.bootMs + 30_000);
        assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.SHUTDOWN });
        assert.deepEqual(lifecycle(events).at(-1), [DomainEventType.STOPPED, StoppedDetail.SHUTDOWN]);
      } catch (error) {
        // A real guest whose init ignores ctrl-alt-del: the caller destroys, the driver never hangs.
        if (backend.double) throw error;
        await domain.destroy();
      }
    });

    test('a guest that ignores the shutdown request stays running until destroyed', { skip: !backend.double && 'needs the double\'s fakefc.on_ctrl_alt_del switch' }, async (t) => {
      const { connection } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'stubborn', cmdline: 'fakefc.on_ctrl_alt_del=ignore' }));
      await domain.create();
      await domain.shutdown();
      await assert.rejects(shutOff(connection, 'stubborn', 500));
      assert.equal((await domain.getState()).state, DomainState.RUNNING);
      await domain.destroy();
      assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.DESTROYED });
    });

    test('createXML starts a transient domain that vanishes when it stops', async (t) => {
      const { connection, root } = await connect(t);
      const domain = await connection.createXML(domainXml(backend, { name: 'fleeting' }));
      assert.equal(await domain.isPersistent(), false);
      assert.equal((await connection.listAllDomains(ListDomainsFlags.TRANSIENT)).length, 1);
      await assert.rejects(fs.access(path.join(root, 'etc/libvirt/fc/fleeting.xml')));
      await expectVirError(domain.undefine(), 'VIR_ERR_OPERATION_INVALID', 'Requested operation is not valid: cannot undefine transient domain');
      await domain.destroy();
      await expectVirError(connection.lookupByName('fleeting'), 'VIR_ERR_NO_DOMAIN', /no domain with matching name 'fleeting'/);
    });

    test('undefine of a running domain makes it transient; define makes it persistent again', async (t) => {
      const { connection } = await connect(t);
      const xml = domainXml(backend, { name: 'keep', uuid: 'c7a5fdbd-cdaf-9455-926a-d65c16db1809' });
      const domain = await connection.defineXML(xml);
      await domain.create();
      await domain.undefine();
      assert.equal(await domain.isPersistent(), false);
      assert.equal(await domain.isActive(), true);
      await connection.defineXML(xml);
      assert.equal(await domain.isPersistent(), true);
      await domain.destroy();
      assert.equal((await connection.lookupByName('keep')).name, 'keep');
      await domain.undefine();
    });

    test('reboot is a fresh process with the same id and a REBOOT event', async (t) => {
      const { connection, root, events } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'bouncy' }));
      await domain.create();
      const [before] = await processesUnder(root);
      await domain.reboot();
      const [after] = await processesUnder(root);
      assert.notEqual(after, before);
      assert.equal((await connection.lookupByName('bouncy')).id, 1);
      assert.deepEqual(await domain.getState(), { state: DomainState.RUNNING, reason: RunningReason.BOOTED });
      await waitFor(() => events.some((event) => event.eventId === DomainEventId.REBOOT), 'the reboot event');
      await domain.destroy();
    });

    test('START_AUTODESTROY: what a connection started so is destroyed when it closes, after a reboot too; the rest runs on', async (t) => {
      const { connection, root, events, open } = await connect(t);
      const starter = await open();
      await starter.createXML(domainXml(backend, { name: 'ad-transient' }), DomainCreateFlags.START_AUTODESTROY);
      const persistent = await starter.defineXML(domainXml(backend, { name: 'ad-persistent' }));
      await persistent.create(DomainCreateFlags.START_AUTODESTROY);
      await persistent.reboot();
      await starter.createXML(domainXml(backend, { name: 'ad-plain' }));
      assert.equal((await processesUnder(root)).length, 3);

      await starter.close();
      await expectVirError(connection.lookupByName('ad-transient'), 'VIR_ERR_NO_DOMAIN', /no domain with matching name 'ad-transient'/);
      const stopped = await connection.lookupByName('ad-persistent');
      assert.deepEqual(await stopped.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.DESTROYED });
      const plain = await connection.lookupByName('ad-plain');
      assert.equal((await plain.getState()).state, DomainState.RUNNING);
      assert.equal((await processesUnder(root)).length, 1);
      const destroyed = events.filter((event) => event.eventId === 0 && event.event === DomainEventType.STOPPED && event.detail === StoppedDetail.DESTROYED);
      assert.deepEqual(destroyed.map((event) => event.domain.name).sort(), ['ad-persistent', 'ad-transient']);
      // A later plain start is not autodestroy: another connection closing leaves it running.
      await stopped.create();
      const other = await open();
      await other.close();
      assert.equal((await stopped.getState()).state, DomainState.RUNNING);
      await stopped.destroy();
      await plain.destroy();
    });

    test('vCPU counts: <vcpu> live and config, the maximum too; flags checked as libvirt does', async (t) => {
      const { connection } = await connect(t);
      assert.equal(await connection.getMaxVcpus(null), 32);
      await expectVirError(connection.getMaxVcpus('kvm'), 'VIR_ERR_INVALID_ARG', "invalid argument: unknown type 'kvm'");
      const persistent = await connection.defineXML(domainXml(backend, { name: 'counted', vcpus: 2 }));
      assert.equal(await persistent.getVcpusFlags(DomainVcpuFlags.CONFIG | DomainVcpuFlags.MAXIMUM), 2);
      await expectVirError(persistent.getVcpusFlags(DomainVcpuFlags.LIVE), 'VIR_ERR_OPERATION_INVALID', 'Requested operation is not valid: domain is not running');
      await expectVirError(persistent.getMaxVcpus(), 'VIR_ERR_OPERATION_INVALID', 'Requested operation is not valid: domain is not running');
      await persistent.create();
      assert.equal(await persistent.getVcpusFlags(), 2);
      assert.equal(await persistent.getMaxVcpus(), 2);
      await expectVirError(persistent.getVcpusFlags(DomainVcpuFlags.LIVE | DomainVcpuFlags.CONFIG), 'VIR_ERR_INVALID_ARG', /mutually exclusive/);
      // virCheckFlags' words, without the "invalid argument: " prefix, as libvirt prints them.
      await expectVirError(persistent.getVcpusFlags(DomainVcpuFlags.GUEST), 'VIR_ERR_INVALID_ARG', 'unsupported flags (0x8) in function virDomainGetVcpusFlags');
      const transient = await connection.createXML(domainXml(backend, { name: 'uncounted' }));
      await expectVirError(transient.getVcpusFlags(DomainVcpuFlags.CONFIG), 'VIR_ERR_OPERATION_INVALID', /transient domains do not have any persistent config/);
      await transient.destroy();
      await persistent.destroy();
    });

    test('memory: setmem through the virtio balloon, config and maximum; dommemstat from the balloon and /proc', async (t) => {
      const { connection, root } = await connect(t);
      const balloon = "    <memballoon model='virtio'>\n      <stats period='1'/>\n    </memballoon>";
      const domain = await connection.defineXML(domainXml(backend, { name: 'elastic', memoryMiB: 256, devices: balloon }));
      await expectVirError(domain.memoryStats(), 'VIR_ERR_OPERATION_INVALID', 'Requested operation is not valid: domain is not running');
      await domain.create();
      const before = await domain.memoryStats();
      assert.deepEqual(before[0], { tag: DomainMemoryStatTag.ACTUAL_BALLOON, val: 256 * 1024 });
      assert.ok((before.at(-1)?.val ?? 0) > 0 && before.at(-1)?.tag === DomainMemoryStatTag.RSS, JSON.stringify(before));
      assert.deepEqual((await domain.memoryStats(1)).length, 1);

      // Live: the balloon inflates, the live XML follows, the persistent one does not.
      await domain.setMemoryFlags(128 * 1024);
      assert.equal((await domain.getInfo()).memoryKiB, 128 * 1024);
      assert.match(await domain.getXMLDesc(), /<currentMemory unit='KiB'>131072<\/currentMemory>/);
      assert.match(await domain.getXMLDesc(DomainXMLFlags.INACTIVE), /<currentMemory unit='KiB'>262144<\/currentMemory>/);
      if (backend.double) assert.deepEqual((await domain.memoryStats())[0], { tag: DomainMemoryStatTag.ACTUAL_BALLOON, val: 128 * 1024 });
      await expectVirError(domain.setMemoryFlags(512 * 1024), 'VIR_ERR_INVALID_ARG', 'invalid argument: cannot set memory higher than max memory');
      await expectVirError(domain.setMemoryFlags(512 * 1024, DomainMemoryModFlags.MAXIMUM), 'VIR_ERR_OPERATION_INVALID', /cannot resize the maximum memory on an active domain/);

      // Config: <currentMemory>, and <memory> with MAXIMUM, for the next start.
      await domain.setMemoryFlags(192 * 1024, DomainMemoryModFlags.CONFIG);
      await domain.setMemoryFlags(320 * 1024, DomainMemoryModFlags.CONFIG | DomainMemoryModFlags.MAXIMUM);
      const config = await fs.readFile(path.join(root, 'etc/libvirt/fc/elastic.xml'), 'utf8');
      assert.match(config, /<memory unit='KiB'>327680<\/memory>\n {2}<currentMemory unit='KiB'>196608<\/currentMemory>/);
      await domain.destroy();
      assert.deepEqual({ ...(await domain.getInfo()), cpuTimeNs: 0n }, { state: DomainState.SHUTOFF, maxMemKiB: 327680, memoryKiB: 196608, nrVirtCpu: 1, cpuTimeNs: 0n });

      // Without a balloon, only the persistent size may change, and not below <memory>.
      const fixed = await connection.createXML(domainXml(backend, { name: 'fixed' }));
      assert.deepEqual((await fixed.memoryStats()).map((stat) => stat.tag), [DomainMemoryStatTag.ACTUAL_BALLOON, DomainMemoryStatTag.RSS]);
      await expectVirError(fixed.setMemoryFlags(64 * 1024), 'VIR_ERR_OPERATION_INVALID', /without the balloon device/);
      await fixed.destroy();
      const plain = await connection.defineXML(domainXml(backend, { name: 'plain' }));
      await expectVirError(plain.setMemoryFlags(64 * 1024, DomainMemoryModFlags.CONFIG), 'VIR_ERR_CONFIG_UNSUPPORTED', /<currentMemory> below <memory> needs <memballoon model='virtio'>/);
    });

    test('vsock: an auto CID is the lowest free one among running domains', async (t) => {
      const { connection } = await connect(t);
      const vsock = "    <vsock model='virtio'>\n      <cid auto='yes'/>\n    </vsock>";
      const a = await connection.createXML(domainXml(backend, { name: 'va', devices: vsock }));
      const b = await connection.createXML(domainXml(backend, { name: 'vb', devices: vsock }));
      assert.match(await a.getXMLDesc(), /<cid auto='yes' address='3'\/>/);
      assert.match(await b.getXMLDesc(), /<cid auto='yes' address='4'\/>/);
      await a.destroy();
      const c = await connection.createXML(domainXml(backend, { name: 'vc', devices: vsock }));
      assert.match(await c.getXMLDesc(), /<cid auto='yes' address='3'\/>/);
      await b.destroy();
      await c.destroy();
    });

    test('ids are small integers in start order, kept across a reboot', async (t) => {
      const { connection } = await connect(t);
      const a = await connection.createXML(domainXml(backend, { name: 'a' }));
      const b = await connection.createXML(domainXml(backend, { name: 'b' }));
      assert.deepEqual([a.id, b.id], [1, 2]);
      await a.destroy();
      const c = await connection.createXML(domainXml(backend, { name: 'c' }));
      assert.equal(c.id, 3);
      await b.destroy();
      await c.destroy();
    });

    test('a guest reboot restarts the domain (on_reboot=restart), and a reboot loop is stopped', { skip: !backend.double && 'needs the double\'s fakefc.after_boot switch' }, async (t) => {
      const { connection, root, events } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'rebooter', cmdline: 'fakefc.after_boot=reboot' }));
      await domain.create();
      // Every process reboots at once: restarted twice, then the loop guard shuts it off.
      await shutOff(connection, 'rebooter', 20_000);
      assert.equal(events.filter((event) => event.eventId === DomainEventId.REBOOT).length, 2);
      assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.CRASHED });
      assert.deepEqual(lifecycle(events).at(-1), [DomainEventType.STOPPED, StoppedDetail.CRASHED]);
      assert.deepEqual(await processesUnder(root), []);
    });

    test('a guest that panics and reboots (panic=1) comes back with the same id', { skip: !backend.double && 'needs the double\'s fakefc.after_boot switch' }, async (t) => {
      const { connection, events } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'phoenix2', cmdline: 'fakefc.after_boot=panic' }));
      await domain.create();
      await waitFor(() => events.some((event) => event.eventId === DomainEventId.REBOOT), 'a reboot event', 10_000);
      // It keeps panicking and coming back (each run lasts over a second: no loop guard).
      assert.equal((await connection.lookupByName('phoenix2')).id, 1);
      assert.deepEqual(await domain.getState(), { state: DomainState.RUNNING, reason: RunningReason.BOOTED });
      assert.equal(lifecycle(events).some(([event]) => event === DomainEventType.STOPPED), false);
      await domain.destroy();
    });

    test('a restart that fails shuts the domain off (failed)', { skip: !backend.double && 'needs the double\'s fakefc.after_boot switch' }, async (t) => {
      const { connection, root, events } = await connect(t);
      const kernel = path.join(root, 'vmlinux');
      await fs.copyFile(backend.kernel, kernel);
      const domain = await connection.defineXML(domainXml(backend, { name: 'fragile', kernel, cmdline: 'fakefc.after_boot=panic' }));
      await domain.create();
      // The guest reboots a second after boot; by then its kernel is gone.
      await fs.rm(kernel);
      await shutOff(connection, 'fragile', 15_000);
      assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.FAILED });
      await waitFor(() => lifecycle(events).at(-1)?.[0] === DomainEventType.STOPPED, 'the stopped event');
      assert.deepEqual(lifecycle(events).at(-1), [DomainEventType.STOPPED, StoppedDetail.FAILED]);
      assert.deepEqual(await processesUnder(root), []);
    });

    test('start paused, define updates, events for each', async (t) => {
      const { connection, events } = await connect(t);
      const xml = domainXml(backend, { name: 'paused', uuid: '0d5f2b0c-5e6a-4f35-9d2b-6f4f5d0c7a11' });
      const domain = await connection.defineXML(xml);
      await connection.defineXML(xml.replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>'));
      await domain.create(DomainCreateFlags.START_PAUSED);
      assert.deepEqual(await domain.getState(), { state: DomainState.PAUSED, reason: PausedReason.USER });
      assert.equal((await domain.getInfo()).nrVirtCpu, 2);
      await domain.resume();
      await domain.destroy();
      await waitFor(() => events.length >= 6, 'the events');
      assert.deepEqual(lifecycle(events), [
        [DomainEventType.DEFINED, DefinedDetail.ADDED],
        [DomainEventType.DEFINED, DefinedDetail.UPDATED],
        [DomainEventType.STARTED, StartedDetail.BOOTED],
        [DomainEventType.SUSPENDED, SuspendedDetail.PAUSED],
        [DomainEventType.RESUMED, ResumedDetail.UNPAUSED],
        [DomainEventType.STOPPED, StoppedDetail.DESTROYED],
      ]);
    });

    test('on_reboot=destroy: a guest reboot shuts the domain off', { skip: !backend.double && 'needs the double\'s fakefc.after_boot switch' }, async (t) => {
      const { connection, events } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'once', cmdline: 'fakefc.after_boot=reboot', onReboot: 'destroy' }));
      await domain.create();
      await shutOff(connection, 'once', 10_000);
      assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.SHUTDOWN });
      assert.deepEqual(lifecycle(events).at(-1), [DomainEventType.STOPPED, StoppedDetail.SHUTDOWN]);
    });

    test('a crash is on_crash: destroy → shut off (crashed); restart → a fresh process, until the loop guard', { skip: !backend.double && 'needs the double\'s fakefc.after_boot switch' }, async (t) => {
      const { connection, root, events } = await connect(t);
      const crashing = await connection.defineXML(domainXml(backend, { name: 'crashy', cmdline: 'fakefc.after_boot=crash' }));
      await crashing.create();
      await shutOff(connection, 'crashy', 10_000);
      assert.deepEqual(await crashing.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.CRASHED });
      assert.deepEqual(lifecycle(events).at(-1), [DomainEventType.STOPPED, StoppedDetail.CRASHED]);
      assert.deepEqual(await processesUnder(root), []);

      events.length = 0;
      const restarting = await connection.defineXML(domainXml(backend, { name: 'crashy2', cmdline: 'fakefc.after_boot=crash', onCrash: 'restart' }));
      await restarting.create();
      // Restarted after each crash until the loop guard gives up (each run is under a second).
      await shutOff(connection, 'crashy2', 20_000);
      await waitFor(() => lifecycle(events).length >= 6, 'the events');
      assert.deepEqual(lifecycle(events), [
        [DomainEventType.DEFINED, DefinedDetail.ADDED],
        [DomainEventType.STARTED, StartedDetail.BOOTED],
        [DomainEventType.STOPPED, StoppedDetail.CRASHED],
        [DomainEventType.STARTED, StartedDetail.BOOTED],
        [DomainEventType.STOPPED, StoppedDetail.CRASHED],
        [DomainEventType.STARTED, StartedDetail.BOOTED],
        [DomainEventType.STOPPED, StoppedDetail.CRASHED],
      ]);
    });

    test('on_poweroff=restart: a requested shutdown starts the domain again', { skip: !backend.double && 'a real guest may ignore ctrl-alt-del' }, async (t) => {
      const { connection, root, events } = await connect(t);
      const domain = await connection.defineXML(domainXml(backend, { name: 'phoenix', onPoweroff: 'restart' }));
      await domain.create();
      const [first] = await processesUnder(root);
      await domain.shutdown();
      await waitFor(() => events.some((event) => event.eventId === DomainEventId.REBOOT), 'a reboot event', 10_000);
      const [second] = await processesUnder(root);
      assert.notEqual(second, first);
      assert.equal((await domain.getState()).state, DomainState.RUNNING);
      await domain.destroy();
    });
  });
}

for (const backend of backends) suite(backend);
