// Reading one element of the tree: attributes, children and values, each marked as read, and a
// final check of what was left unread (refused when libvirt knows it and Firecracker cannot
// honour it; ignored when libvirt does not know it either, unless schema validation was asked).
import { VirError } from '../errors.js';
import { isKnownAttribute, isKnownChild, unsupportedReasons } from './libvirt-schema.js';
import { where } from './locations.js';
import type { XElement } from './xml-tree.js';

export interface ReadContext {
  /** libvirt's VIR_DOMAIN_DEFINE_VALIDATE: refuse what libvirt's schema does not know. */
  readonly validate: boolean;
}

export function xmlError(detail: string): VirError {
  return new VirError('VIR_ERR_XML_ERROR', detail, { domain: 'VIR_FROM_DOMAIN' });
}

export function unsupported(detail: string): VirError {
  return new VirError('VIR_ERR_CONFIG_UNSUPPORTED', detail, { domain: 'VIR_FROM_DOMAIN' });
}

/** The value of an unprefixed attribute, marking it read. */
export function attribute(element: XElement, name: string): string | undefined {
  const { attrs } = element;
  for (let index = 0; index < attrs.length; index++) {
    const attr = attrs[index];
    if (attr?.name === name) {
      attr.used = true;
      return attr.value;
    }
  }
  return undefined;
}

export function requiredAttribute(element: XElement, name: string): string {
  const value = attribute(element, name);
  if (value === undefined) {
    throw xmlError(`missing required attribute '${name}' in element '${element.name}'${where(element)}`);
  }
  return value;
}

/** The one child element `name` (in no namespace), marking it read; two of them are refused. */
export function child(element: XElement, name: string): XElement | undefined {
  let found: XElement | undefined;
  const { children } = element;
  for (let index = 0; index < children.length; index++) {
    const candidate = children[index];
    if (candidate === undefined || candidate.local !== name || candidate.uri !== '') continue;
    if (found !== undefined) {
      throw xmlError(`<${element.name}> may contain only one <${name}>${where(candidate)}`);
    }
    candidate.used = true;
    found = candidate;
  }
  return found;
}

/** Marks a child as read without reading it (e.g. <address>, which Firecracker has no use for). */
export function skipChildren(element: XElement, name: string): void {
  const { children } = element;
  for (let index = 0; index < children.length; index++) {
    const candidate = children[index];
    if (candidate !== undefined && candidate.local === name && candidate.uri === '') candidate.used = true;
  }
}

/** Refuses a second occurrence of a single-valued element among siblings. */
export function once(slot: XElement | undefined, element: XElement, parent: XElement): XElement {
  if (slot !== undefined) {
    throw xmlError(`<${parent.name}> may contain only one <${element.name}>${where(element)}`);
  }
  return element;
}

function invalidValue(element: XElement, name: string, value: string, expected: string): VirError {
  return xmlError(
    `invalid value for attribute '${name}' in element '${element.name}': '${value}', expected ${expected}${where(element)}`,
  );
}

/** An attribute whose value must be one of `values` (libvirt's spelling). */
export function enumAttribute<T extends string>(element: XElement, name: string, values: readonly T[]): T | undefined {
  const value = attribute(element, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw invalidValue(element, name, value, `one of ${values.map((v) => `'${v}'`).join(', ')}`);
  }
  return value as T;
}

/** libvirt's virTristateSwitch ('on'/'off') or virTristateBool ('yes'/'no'). */
export function switchAttribute(element: XElement, name: string, words: 'on/off' | 'yes/no'): boolean | undefined {
  const yes = words === 'on/off' ? 'on' : 'yes';
  const no = words === 'on/off' ? 'off' : 'no';
  const value = attribute(element, name);
  if (value === undefined) return undefined;
  if (value === yes) return true;
  if (value === no) return false;
  throw invalidValue(element, name, value, `'${yes}' or '${no}'`);
}

/** A non-negative decimal integer, or undefined when `text` is not one (or is too large). */
function parseUnsigned(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function unsignedAttribute(element: XElement, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = attribute(element, name);
  if (value === undefined) return undefined;
  const number = parseUnsigned(value);
  if (number === undefined || number > max) {
    throw invalidValue(element, name, value, `a non-negative integer no larger than ${max}`);
  }
  return number;
}

/** The text of an element holding a non-negative integer. */
export function unsignedText(element: XElement, max = Number.MAX_SAFE_INTEGER): number {
  const number = parseUnsigned(element.text);
  if (number === undefined || number > max) {
    throw xmlError(
      `invalid value '${element.text.trim()}' in <${element.name}>: expected a non-negative integer no larger than ${max}${where(element)}`,
    );
  }
  return number;
}

/** The text of an element, or undefined when it is empty (as libvirt reads optional strings). */
export function optionalText(element: XElement | undefined): string | undefined {
  if (element === undefined || element.text === '') return undefined;
  return element.text;
}

/**
 * Checks what is left unread on `element` once its reader is done. `context` names the place in
 * libvirt's schema (see libvirt-schema.ts).
 */
export function finish(element: XElement, context: string, read: ReadContext): void {
  // Indexed loops: this runs on every element, and array iterators cost an allocation each here.
  const { attrs, children } = element;
  for (let index = 0; index < attrs.length; index++) {
    const attr = attrs[index];
    if (attr === undefined || attr.used || attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
    if (attr.uri === '' && isKnownAttribute(context, attr.name)) {
      throw unsupported(
        `attribute '${attr.name}' of <${element.name}> is not supported by the firecracker driver${where(element)}`,
      );
    }
    if (read.validate) {
      throw new VirError(
        'VIR_ERR_XML_INVALID_SCHEMA',
        `attribute '${attr.name}' is not allowed in <${element.name}>${where(element)}`,
        { domain: 'VIR_FROM_DOMAIN' },
      );
    }
  }
  for (let index = 0; index < children.length; index++) {
    const candidate = children[index];
    if (candidate === undefined || candidate.used) continue;
    if (candidate.uri === '' && isKnownChild(context, candidate.local)) {
      const reason = context === 'domain' || context === 'devices' ? unsupportedReasons[candidate.local] : undefined;
      const place = context === 'domain' ? '' : ` in <${element.name}>`;
      throw unsupported(
        `<${candidate.name}>${place} is not supported by the firecracker driver${reason === undefined ? '' : `: ${reason}`}${where(candidate)}`,
      );
    }
    if (read.validate) {
      throw new VirError(
        'VIR_ERR_XML_INVALID_SCHEMA',
        `element <${candidate.name}> is not allowed in <${element.name}>${where(candidate)}`,
        { domain: 'VIR_FROM_DOMAIN' },
      );
    }
  }
}
