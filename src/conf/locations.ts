// Where each part of a DomainDef came from, so the checks that run on the finished def
// (validate-domain.ts) can still name a line. A def built in code has no locations: the same
// checks then speak without them.
import type { XElement } from './xml-tree.js';

/** " (<target> at line 12)": the suffix every located message ends with. */
export function where(element: XElement): string {
  const { line } = element.document.position(element.offset);
  return ` (<${element.name}> at line ${line})`;
}

export class Locations {
  private readonly elements = new Map<object, Map<string, XElement>>();

  /** Records that `owner[field]` was read from `element` ('' for the owner as a whole). */
  note(owner: object, field: string, element: XElement): void {
    let fields = this.elements.get(owner);
    if (fields === undefined) {
      fields = new Map();
      this.elements.set(owner, fields);
    }
    fields.set(field, element);
  }

  /** The location suffix for `owner[field]`, falling back to the owner's own element; '' when unknown. */
  where(owner: object, field = ''): string {
    const fields = this.elements.get(owner);
    const element = fields?.get(field) ?? fields?.get('');
    return element === undefined ? '' : where(element);
  }
}
