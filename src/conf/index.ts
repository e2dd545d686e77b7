// The domain XML layer: libvirt domain XML ⇄ DomainDef. Pure: no I/O, no clock, randomness
// injected through ParseOptions.
import { VirError, isVirError } from '../errors.js';
import type { DomainDef, FormatOptions, ParseOptions } from './domain-def.js';
import { formatDomain } from './format-domain.js';
import { Locations } from './locations.js';
import { fillDefaults } from './post-parse.js';
import { readDomain } from './read-domain.js';
import { checkDomainDef } from './validate-domain.js';
import { parseXmlTree } from './xml-tree.js';

export * from './domain-def.js';

// The promise of this module is that every failure is a VirError; a bug that throws anything
// else still reaches the caller as one, with the original kept as its cause.
function guarded<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isVirError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new VirError('VIR_ERR_INTERNAL_ERROR', `unexpected failure while ${what}: ${reason}`, { cause: error });
  }
}

/** Parses domain XML, fills in what libvirt generates (uuid, MACs), then validates it. */
export function parseDomainXML(xml: string, options: ParseOptions = {}): DomainDef {
  return guarded('parsing domain XML', () => {
    const root = parseXmlTree(xml);
    const def = readDomain(root, { validate: options.validate === true });
    fillDefaults(def, options);
    checkDomainDef(def, new Locations(def, root));
    return def;
  });
}

/** The semantic checks parseDomainXML runs, for a DomainDef built in code. */
export function validateDomainDef(def: DomainDef): void {
  guarded('validating the domain definition', () => {
    checkDomainDef(def, new Locations());
  });
}

/** Domain XML in libvirt's layout: the inactive (persistent) form, or the live one. */
export function formatDomainXML(def: DomainDef, options: FormatOptions = {}): string {
  return guarded('formatting domain XML', () => formatDomain(def, options));
}
