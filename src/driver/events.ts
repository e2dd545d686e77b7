// Domain events, as libvirt's object event queue delivers them: the driver emits, every
// registration whose event id and domain filter match receives it, in emission order, never
// synchronously inside the operation that caused it (a callback may call back into the driver).
// Each connection keeps its own registrations and callback ids (the daemon makes one
// connection per remote client over one driver).

import { DOMAIN_EVENT_ID_LAST, DomainEventId } from '../api/constants.js';
import type { DomainEvent, DomainEventCallback, DomainRef } from '../api/connection.js';
import { VirError } from '../errors.js';

export type DriverEventListener = (event: DomainEvent) => void;

/** The driver's side: one bus per driver, listened to by each connection. */
export class DomainEventBus {
  private readonly listeners = new Set<DriverEventListener>();
  private readonly queue: DomainEvent[] = [];
  private scheduled = false;

  subscribe(listener: DriverEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lifecycle(domain: DomainRef, event: number, detail: number): void {
    this.emit({ eventId: DomainEventId.LIFECYCLE, domain: { ...domain }, event, detail });
  }

  reboot(domain: DomainRef): void {
    this.emit({ eventId: DomainEventId.REBOOT, domain: { ...domain } });
  }

  private emit(event: DomainEvent): void {
    this.queue.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const events = this.queue.splice(0);
      for (const queued of events) {
        for (const listener of [...this.listeners]) listener(queued);
      }
    });
  }
}

interface Registration {
  /** null: every domain. */
  uuid: string | null;
  eventId: number;
  callback: DomainEventCallback;
}

/** One connection's registrations (virConnectDomainEventRegisterAny). */
export class ConnectionEventRegistry {
  private readonly registrations = new Map<number, Registration>();
  private nextId = 1;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly bus: DomainEventBus) {}

  register(domain: DomainRef | null, eventId: number, callback: DomainEventCallback): number {
    // Ids fcvirt never emits are accepted and stay silent, as with libvirt's drivers.
    if (!Number.isInteger(eventId) || eventId < 0 || eventId >= DOMAIN_EVENT_ID_LAST) {
      throw new VirError('VIR_ERR_INVALID_ARG', `eventID in virConnectDomainEventRegisterAny must be less than ${DOMAIN_EVENT_ID_LAST}`);
    }
    const id = this.nextId++;
    this.registrations.set(id, { uuid: domain === null ? null : domain.uuid, eventId, callback });
    this.unsubscribe ??= this.bus.subscribe((event) => { this.dispatch(event); });
    return id;
  }

  deregister(callbackId: number): void {
    if (!this.registrations.delete(callbackId)) {
      throw new VirError('VIR_ERR_INVALID_ARG', `could not find event callback ${callbackId} for deletion`);
    }
    if (this.registrations.size === 0) this.detach();
  }

  /** Drops every registration (the connection is closing). */
  clear(): void {
    this.registrations.clear();
    this.detach();
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private dispatch(event: DomainEvent): void {
    for (const registration of [...this.registrations.values()]) {
      if (registration.eventId !== event.eventId) continue;
      if (registration.uuid !== null && registration.uuid !== event.domain.uuid) continue;
      try {
        registration.callback(event);
      } catch {
        // A throwing callback is the caller's bug; it must not stop delivery to the others.
      }
    }
  }
}
