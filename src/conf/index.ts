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
// else still reaches the caller as one, with the original kept as its cause. (try/catch in
// each function rather than a wrapper taking a closure: parsing is hot, and this is its door.)
function asVirError(what: string, error: unknown): VirError {
  if (isVirError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new VirError('VIR_ERR_INTERNAL_ERROR', `unexpected failure while ${what}: ${reason}`, { cause: error });
}

/** Parses domain XML, fills in what libvirt generates (uuid, MACs), then validates it. */
export function parseDomainXML(xml: string, options: ParseOptions = {}): DomainDef {
  try {
    const root = parseXmlTree(xml);
    const def = readDomain(root, { validate: options.validate === true });
    fillDefaults(def, options);
    checkDomainDef(def, new Locations(def, root));
    return def;
  } catch (error) {
    throw asVirError('parsing domain XML', error);
  }
}

/** The semantic checks parseDomainXML runs, for a DomainDef built in code. */
export function validateDomainDef(def: DomainDef): void {
  try {
    checkDomainDef(def, new Locations());
  } catch (error) {
    throw asVirError('validating the domain definition', error);
  }
}

/** Domain XML in libvirt's layout: the inactive (persistent) form, or the live one. */
export function formatDomainXML(def: DomainDef, options: FormatOptions = {}): string {
  try {
    return formatDomain(def, options);
  } catch (error) {
    throw asVirError('formatting domain XML', error);
  }
}
