// Firecracker resource ids (drive_id, iface_id) allow only letters, digits and underscore, and
// the id also names the resource in the request path. Mapping may make two ids collide, so
// ids are handed out by an allocator that keeps them unique.

/** Replaces every character Firecracker refuses in an id with `_`. */
export function toResourceId(text: string): string {
  return /^[A-Za-z0-9_]+$/.test(text) ? text : text.replace(/[^A-Za-z0-9_]/g, '_');
}

export class ResourceIdAllocator {
  // A domain has a handful of drives and interfaces: a list is cheaper to make than a set.
  private readonly taken: string[] = [];

  /** Returns `wanted` mapped to a valid id, suffixed `_2`, `_3`, … when that id is taken. */
  allocate(wanted: string): string {
    const base = toResourceId(wanted);
    let id = base;
    for (let suffix = 2; this.taken.includes(id); suffix++) id = `${base}_${suffix}`;
    this.taken.push(id);
    return id;
  }
}
