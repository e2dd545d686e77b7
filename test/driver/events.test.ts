import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainEventId, DomainEventType, StartedDetail } from '../../src/api/constants.js';
import type { DomainEvent } from '../../src/api/connection.js';
import { ConnectionEventRegistry, DomainEventBus } from '../../src/driver/events.js';
import { VirError } from '../../src/errors.js';

const a = { name: 'a', uuid: '11111111-2222-3333-4444-555555555555', id: 1 };
const b = { name: 'b', uuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', id: 2 };

test('events reach matching registrations, in order, after the emitting call returns', async () => {
  const bus = new DomainEventBus();
  const registry = new ConnectionEventRegistry(bus);
  const all: DomainEvent[] = [];
  const onlyB: DomainEvent[] = [];
  const reboots: DomainEvent[] = [];
  registry.register(null, DomainEventId.LIFECYCLE, (event) => all.push(event));
  registry.register(b, DomainEventId.LIFECYCLE, (event) => onlyB.push(event));
  registry.register(null, DomainEventId.REBOOT, (event) => reboots.push(event));
  bus.lifecycle(a, DomainEventType.STARTED, StartedDetail.BOOTED);
  bus.lifecycle(b, DomainEventType.STARTED, StartedDetail.BOOTED);
  bus.reboot(a);
  assert.equal(all.length, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(all.map((event) => event.domain.name), ['a', 'b']);
  assert.deepEqual(onlyB.map((event) => event.domain.name), ['b']);
  assert.deepEqual(reboots, [{ eventId: 1, domain: a }]);
});

test('deregistering stops delivery; unknown ids are refused as libvirt does', async () => {
  const bus = new DomainEventBus();
  const registry = new ConnectionEventRegistry(bus);
  const seen: DomainEvent[] = [];
  const id = registry.register(null, DomainEventId.LIFECYCLE, (event) => seen.push(event));
  registry.deregister(id);
  bus.lifecycle(a, DomainEventType.STARTED, StartedDetail.BOOTED);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(seen.length, 0);
  assert.throws(() => { registry.deregister(id); }, (error: unknown) =>
    error instanceof VirError && error.message === `invalid argument: could not find event callback ${id} for deletion`);
  assert.throws(() => registry.register(null, 27, () => undefined), (error: unknown) =>
    error instanceof VirError && /eventID in virConnectDomainEventRegisterAny must be less than 27/.test(error.message));
});

test('a throwing callback does not stop the others', async () => {
  const bus = new DomainEventBus();
  const registry = new ConnectionEventRegistry(bus);
  let reached = false;
  registry.register(null, DomainEventId.LIFECYCLE, () => { throw new Error('callback bug'); });
  registry.register(null, DomainEventId.LIFECYCLE, () => { reached = true; });
  bus.lifecycle(a, DomainEventType.STARTED, StartedDetail.BOOTED);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(reached, true);
});
