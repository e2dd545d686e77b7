// libvirt's names for domain states and reasons as its status files spell them
// (virDomainStateTypeToString and the per-state reason enums of src/conf/domain_conf.c).

const stateNames = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended'];

const reasonNames: readonly (readonly string[])[] = [
  ['unknown'],
  ['unknown', 'booted', 'migrated', 'restored', 'from snapshot', 'unpaused', 'migration canceled', 'save canceled', 'wakeup', 'crashed', 'post-copy', 'post-copy failed'],
  ['unknown'],
  ['unknown', 'user', 'migration', 'save', 'dump', 'ioerror', 'watchdog', 'from snapshot', 'shutdown', 'snapshot', 'panicked', 'starting up', 'post-copy', 'post-copy failed', 'api error'],
  ['unknown', 'user'],
  ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'],
  ['unknown', 'panicked'],
  ['unknown'],
];

export function stateName(state: number): string {
  return stateNames[state] ?? 'nostate';
}

export function reasonName(state: number, reason: number): string {
  return reasonNames[state]?.[reason] ?? 'unknown';
}

/** The state for a name, or undefined. */
export function stateFromName(name: string): number | undefined {
  const index = stateNames.indexOf(name);
  return index < 0 ? undefined : index;
}

/** The reason for a name within a state; 0 (unknown) when not recognised. */
export function reasonFromName(state: number, name: string): number {
  const index = reasonNames[state]?.indexOf(name) ?? -1;
  return index < 0 ? 0 : index;
}
