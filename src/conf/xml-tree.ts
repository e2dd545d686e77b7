// A small element tree built from saxes events: just what the domain parser walks, with the
// offset of each start tag so messages can name a line. Full content (text, CDATA, comments in
// order) is kept only under <metadata>, the one place that is written back verbatim.
import { SaxesParser } from 'saxes';
import { VirError } from '../errors.js';
import type { SourcePosition } from './domain-def.js';

export interface XAttr {
  /** Qualified name as written. */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI; '' for unprefixed attributes. */
  uri: string;
  value: string;
  /** Set by the parser when it has read the attribute (unread ones are checked at the end). */
  used: boolean;
}

export interface XText {
  kind: 'text' | 'cdata' | 'comment';
  text: string;
}

export interface XElement {
  kind: 'element';
  /** Qualified name as written. */
  name: string;
  prefix: string;
  local: string;
  uri: string;
  attrs: XAttr[];
  /** Namespace declarations made on this element: prefix ('' = default) → URI. */
  ns: Record<string, string>;
  /** Child elements in document order. */
  children: XElement[];
  /** Character data of the element itself (text and CDATA, concatenated). */
  text: string;
  /** Every child node in order; only kept inside <metadata>. */
  nodes: (XElement | XText)[] | undefined;
  /** Offset of the '<' of the start tag. */
  offset: number;
  document: XDocument;
  used: boolean;
}

/** The parsed text, for turning offsets into lines on demand (only error messages need them). */
export class XDocument {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  position(offset: number): SourcePosition {
    this.lineStarts ??= computeLineStarts(this.text);
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
  }
}

// Line breaks as XML counts them (\n, \r\n and a lone \r), so our lines match saxes' own.
function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 10) starts.push(index + 1);
    else if (code === 13 && text.charCodeAt(index + 1) !== 10) starts.push(index + 1);
  }
  return starts;
}

/** libxml2's default nesting limit; it also keeps every recursive walk of the tree shallow. */
export const MAX_XML_DEPTH = 256;

function malformed(line: number, column: number, detail: string): VirError {
  return new VirError('VIR_ERR_XML_ERROR', `malformed XML at line ${String(line)}, column ${String(column)}: ${detail}`, {
    domain: 'VIR_FROM_XML',
  });
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/** Splits a qualified name, or returns undefined when it is not a valid one in a namespaced document. */
function qname(name: string): { prefix: string; local: string } | undefined {
  const colon = name.indexOf(':');
  if (colon === -1) return { prefix: '', local: name };
  const prefix = name.slice(0, colon);
  const local = name.slice(colon + 1);
  return prefix === '' || local === '' || local.includes(':') ? undefined : { prefix, local };
}

/**
 * Parses XML text into an element tree. Malformed XML becomes a VIR_ERR_XML_ERROR naming the
 * line and column; the first error stops the parse.
 *
 * saxes runs in its plain mode and namespaces are resolved here: its namespace mode, and its
 * own attribute objects, cost more than the rest of parsing a domain. Few handlers are set on
 * purpose: each is a property added to the parser after construction, and past a handful V8
 * turns the parser's properties slow.
 */
export function parseXmlTree(text: string): XElement {
  const document = new XDocument(text);
  const parser = new SaxesParser();
  const stack: XElement[] = [];
  let root: XElement | undefined;
  let lastClosed: XElement | undefined;
  let attrs: XAttr[] = none;
  let declarations = 0;

  const fail = (offset: number, detail: string): never => {
    const where = document.position(offset);
    throw malformed(where.line, where.column, detail);
  };
  // The URI bound to `prefix` at `element` (which is not on the stack yet).
  const resolve = (prefix: string, element: XElement): string => {
    if (prefix === 'xml') return XML_NAMESPACE;
    const own = element.ns[prefix];
    if (own !== undefined) return own;
    for (let index = stack.length - 1; index >= 0; index--) {
      const uri = stack[index]?.ns[prefix];
      if (uri !== undefined) return uri;
    }
    return prefix === '' ? '' : fail(element.offset, `unbound namespace prefix: "${prefix}"`);
  };

  // Set when an attribute of the pending start tag is prefixed or declares a namespace, so the
  // common start tag (neither) skips the namespace work below.
  let special = false;
  parser.on('attribute', (attribute) => {
    const { name } = attribute;
    const attr: XAttr = { name, prefix: '', local: name, uri: '', value: attribute.value, used: false };
    if (attrs === none) attrs = [attr];
    else attrs.push(attr);
    if (name.includes(':') || name === 'xmlns') special = true;
  });
  parser.on('opentag', (tag) => {
    // saxes is just past the '>' of the start tag; no '<' can occur inside one, so the last one is its start.
    const offset = text.lastIndexOf('<', parser.position - 1);
    const parent = stack[stack.length - 1];
    if (stack.length >= MAX_XML_DEPTH) fail(offset, `elements are nested deeper than ${String(MAX_XML_DEPTH)} levels`);
    const own = attrs;
    attrs = none;
    let ns: Record<string, string> = noDeclarations;
    const prefixed = special;
    special = false;
    if (prefixed) {
      for (const attr of own) {
        const { name } = attr;
        if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
        const prefix = name === 'xmlns' ? '' : name.slice(6);
        const uri = attr.value.trim();
        if (prefix === 'xmlns') fail(offset, 'the xmlns prefix may not be declared');
        if ((prefix === 'xml') !== (uri === XML_NAMESPACE)) fail(offset, `the xml prefix must be bound to ${XML_NAMESPACE}, and only it`);
        if (uri === XMLNS_NAMESPACE) fail(offset, `no prefix may be bound to ${XMLNS_NAMESPACE}`);
        if (prefix !== '' && uri === '') fail(offset, `invalid attempt to undefine prefix "${prefix}" in XML 1.0`);
        if (ns === noDeclarations) ns = Object.create(null) as Record<string, string>;
        ns[prefix] = uri;
        declarations++;
      }
    }
    const element: XElement = {
      kind: 'element',
      name: tag.name,
      prefix: '',
      local: tag.name,
      uri: '',
      attrs: own,
      ns,
      children: [],
      text: '',
      nodes: undefined,
      offset,
      document,
      used: false,
    };
    if (declarations > 0 || tag.name.includes(':')) {
      const parts = qname(tag.name) ?? fail(offset, `malformed name: ${tag.name}`);
      if (parts.prefix === 'xmlns') fail(offset, 'tags may not have "xmlns" as prefix');
      element.prefix = parts.prefix;
      element.local = parts.local;
      element.uri = resolve(parts.prefix, element);
    }
    if (prefixed) {
      const seen = new Set<string>();
      for (const attr of own) {
        const parts = qname(attr.name) ?? fail(offset, `malformed name: ${attr.name}`);
        attr.prefix = parts.prefix;
        attr.local = parts.local;
        if (parts.prefix !== '' && parts.prefix !== 'xmlns') attr.uri = resolve(parts.prefix, element);
        const expanded = `{${attr.uri}}${attr.local}`;
        if (parts.prefix !== 'xmlns' && seen.has(expanded)) fail(offset, `duplicate attribute: ${expanded}`);
        seen.add(expanded);
      }
    }
    if (parent === undefined) {
      root = element;
    } else {
      parent.children.push(element);
      if (parent.nodes !== undefined) {
        element.nodes = [];
        parent.nodes.push(element);
      } else if (parent === root && element.local === 'metadata' && element.uri === '') {
        element.nodes = [];
      }
    }
    stack.push(element);
  });
  parser.on('closetag', () => {
    lastClosed = stack.pop();
  });
  parser.on('text', (chunk) => {
    const top = stack[stack.length - 1];
    if (top === undefined) return;
    top.text += chunk;
    if (top.nodes !== undefined) {
      const last = top.nodes[top.nodes.length - 1];
      if (last !== undefined && last.kind === 'text') last.text += chunk;
      else top.nodes.push({ kind: 'text', text: chunk });
    }
  });
  if (text.includes('<![CDATA[')) {
    parser.on('cdata', (chunk) => {
      const top = stack[stack.length - 1];
      if (top === undefined) return;
      top.text += chunk;
      top.nodes?.push({ kind: 'cdata', text: chunk });
    });
  }
  if (text.includes('<!--')) {
    parser.on('comment', (comment) => {
      stack[stack.length - 1]?.nodes?.push({ kind: 'comment', text: comment });
    });
  }

  // Without an error handler saxes throws at the first error, with our stack as it was then.
  const describe = (message: string): VirError => {
    const match = /^(\d+):(\d+): ([^]*?)\.?$/.exec(message);
    const detail = match?.[3] ?? message;
    const innermost = stack[stack.length - 1];
    if (detail.startsWith('unclosed tag') && innermost !== undefined) {
      // The end of the text says little; the start tag that was never closed says where to look.
      const where = document.position(innermost.offset);
      return malformed(where.line, where.column, detail);
    }
    if (detail === 'unexpected close tag' && lastClosed !== undefined) {
      // saxes has just given up on the innermost open element: name both tags, point at the closing one.
      const closing = /<\/([^\s>]*)\s*>$/.exec(text.slice(Math.max(0, parser.position - 300), parser.position));
      const opened = document.position(lastClosed.offset);
      const where = closing === null ? { line: parser.line, column: parser.column } : document.position(parser.position - closing[0].length);
      const name = closing === null ? '' : ` </${closing[1] ?? ''}>`;
      return malformed(where.line, Math.max(1, where.column), `unexpected close tag${name}: <${lastClosed.name}> opened at line ${String(opened.line)} is still open`);
    }
    if (detail === 'undefined entity') {
      return malformed(parser.line, Math.max(1, parser.column),
        'undefined entity: only the predefined entities (&lt; &gt; &amp; &apos; &quot;) and character references are expanded');
    }
    return malformed(parser.line, Math.max(1, parser.column), detail);
  };
  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof VirError) throw error;
    throw describe(error instanceof Error ? error.message : String(error));
  }
  if (root === undefined) throw malformed(1, 1, 'document must contain a root element');
  return root;
}

// Most elements have no attributes or namespace declarations: they share these empty, frozen
// values (replaced on the first addition) instead of allocating their own.
const none: never[] = Object.freeze([]) as never[];
/** The `ns` of an element that declares no namespace. */
const noDeclarations: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);
