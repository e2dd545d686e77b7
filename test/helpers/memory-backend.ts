// The daemon's backend over the in-memory hypervisor: virtfcd's own code (sockets, modes,
// idle timeout, logging, signals) exercised before and apart from the fc driver.

import { DomainEventId, DomainState } from '../../src/api/constants.js';
import type { DaemonBackend } from '../../src/daemon/daemon.js';
import { MemoryHypervisor } from './memory-connection.js';

export interface MemoryBackend extends DaemonBackend {
  hv: MemoryHypervisor;
  closed: boolean;
}

export function memoryBackend(hv = new MemoryHypervisor()): MemoryBackend {
  const backend: MemoryBackend = {
    hv,
    closed: false,
    connect: hv.connect,
    activeDomainCount: () => [...hv.domains.values()].filter((domain) => domain.state !== DomainState.SHUTOFF).length,
    onStateChange(listener) {
      const watcher = hv.connect('fc:///system', true);
      const id = watcher.then((connection) => connection.domainEventRegisterAny(null, DomainEventId.LIFECYCLE, listener));
      return () => {
        void Promise.all([watcher, id]).then(async ([connection, callbackId]) => {
          await connection.domainEventDeregisterAny(callbackId);
          await connection.close();
        });
      };
    },
    close() {
      backend.closed = true;
      return Promise.resolve();
    },
  };
  return backend;
}
