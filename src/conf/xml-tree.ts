// A small element tree built from saxes events: just what the domain parser walks, with where
// each start tag ends so messages can name a line. Full content (text, CDATA, comments in
// order) is kept only under <metadata>, the one place that is written back verbatim. An
// element's own text is read from the source only when asked for: most elements hold only
// whitespace between their children, which nothing reads.
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

export class XElement {
  /** Namespace prefix and local part of `name`, and the URI the prefix is bound to. */
  prefix = '';
  local: string;
  uri = '';
  /** Child elements in document order. */
  children: readonly XElement[] = noElements;
  /** Every child node in order; only kept inside <metadata>. */
  nodes: (XElement | XText)[] | undefined = undefined;
  /** Offset just past the end tag (or the '/>' of an empty-element tag); set when it closes. */
  end = -1;
  used = false;
  private ownText: string | undefined = undefined;

  constructor(
    /** Qualified name as written. */
    readonly name: string,
    readonly attrs: readonly XAttr[],
    /** Namespace declarations made on this element: prefix ('' = default) → URI. */
    readonly ns: Record<string, string>,
    /** Offset just past the start tag's '>'. */
    readonly contentStart: number,
    readonly document: XDocument,
  ) {
    this.local = name;
  }

  // On the prototype: one field fewer on every element.
  get kind(): 'element' {
    return 'element';
  }

  /** Offset of the '<' of the start tag (only messages need it, so it is found when asked). */
  get offset(): number {
    return tagStart(this.document.text, this.contentStart);
  }

  /** Character data of the element itself (text and CDATA, concatenated), as XML reads it. */
  get text(): string {
    this.ownText ??= this.document.textOf(this);
    return this.ownText;
  }
}

/** The parsed text, for turning offsets into lines on demand (only error messages need them). */
export class XDocument {
  private lineStarts: number[] | undefined;
  /** The XML version the document declares ('1.1' changes which characters end a line). */
  xmlVersion: '1.0' | '1.1' = '1.0';

  constructor(readonly text: string) {}

  /**
   * The text of `element`, which was parsed from this document without error. Raw text with
   * nothing to expand or normalise is taken as it is; anything else (children, entities, CDATA,
   * comments, line ends) is left to saxes, reading the element's own source again.
   */
  textOf(element: XElement): string {
    const { contentStart, end } = element;
    if (contentStart >= end) return '';
    if (element.children.length === 0) {
      // The end tag's '<': none can occur inside an end tag.
      const raw = this.text.slice(contentStart, this.text.lastIndexOf('<', end - 1));
      if (!(this.xmlVersion === '1.1' ? specialInText11 : specialInText).test(raw)) return raw;
    }
    return ownTextOf(this.text.slice(element.offset, end), this.xmlVersion);
  }

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

/** The offset of the '<' of the start tag that ends just before `contentStart`. */
function tagStart(text: string, contentStart: number): number {
  // No '<' can occur inside a start tag, so the last one before its end is its start.
  return text.lastIndexOf('<', contentStart - 1);
}

// What XML reading would change in raw character data: markup, references, and line ends
// (XML 1.1 also reads NEL and LINE SEPARATOR as line ends).
const specialInText = /[<&\r]/;
const specialInText11 = /[<&\r\u0085\u2028]/;

// The text directly inside the root of `source`, a well-formed element, as saxes reads it.
function ownTextOf(source: string, xmlVersion: '1.0' | '1.1'): string {
  const parser = new SaxesParser({ defaultXMLVersion: xmlVersion });
  let depth = 0;
  let text = '';
  parser.on('opentag', () => {
    depth++;
  });
  parser.on('closetag', () => {
    depth--;
  });
  parser.on('text', (chunk) => {
    if (depth === 1) text += chunk;
  });
  parser.on('cdata', (chunk) => {
    if (depth === 1) text += chunk;
  });
  parser.write(source).close();
  return text;
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
  let declarations = 0;
  // Attributes of the pending start tag: scratch space reused through the parse, so each
  // element gets an array of exactly its size, and most none at all.
  const attrs: XAttr[] = [];
  let attrCount = 0;

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

  // Only <metadata> keeps its text, CDATA and comments as nodes, so the handlers that collect
  // them are set when it opens (saxes looks its handlers up as it goes). Other text is read from
  // the source when asked for: a text handler would cost saxes a slice per run of whitespace.
  let keepingNodes = false;
  const keepNodes = (): void => {
    if (keepingNodes) return;
    keepingNodes = true;
    parser.on('text', (chunk) => {
      const nodes = stack[stack.length - 1]?.nodes;
      if (nodes === undefined) return;
      const last = nodes[nodes.length - 1];
      if (last !== undefined && last.kind === 'text') last.text += chunk;
      else nodes.push({ kind: 'text', text: chunk });
    });
    parser.on('cdata', (chunk) => {
      stack[stack.length - 1]?.nodes?.push({ kind: 'cdata', text: chunk });
    });
    parser.on('comment', (comment) => {
      stack[stack.length - 1]?.nodes?.push({ kind: 'comment', text: comment });
    });
  };

  // Set when an attribute of the pending start tag is prefixed or declares a namespace, so the
  // common start tag (neither) skips the namespace work below.
  let special = false;
  parser.on('attribute', (attribute) => {
    const { name } = attribute;
    attrs[attrCount++] = { name, prefix: '', local: name, uri: '', value: attribute.value, used: false };
    if (name.includes(':') || name === 'xmlns') special = true;
  });
  parser.on('opentag', (tag) => {
    // saxes is just past the '>' of the start tag.
    const contentStart = parser.position;
    const parent = stack[stack.length - 1];
    if (stack.length >= MAX_XML_DEPTH) {
      fail(tagStart(text, contentStart), `elements are nested deeper than ${String(MAX_XML_DEPTH)} levels`);
    }
    const own = leading(attrs, attrCount);
    attrCount = 0;
    let ns: Record<string, string> = noDeclarations;
    const prefixed = special;
    special = false;
    // Only messages need the offset of the start tag.
    const offset = prefixed ? tagStart(text, contentStart) : -1;
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
    const element = new XElement(tag.name, own, ns, contentStart, document);
    if (declarations > 0 || tag.name.includes(':')) {
      const parts = qname(tag.name) ?? fail(element.offset, `malformed name: ${tag.name}`);
      if (parts.prefix === 'xmlns') fail(element.offset, 'tags may not have "xmlns" as prefix');
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
      // A leaf shares the empty array until its first child; a parent's list is its own.
      if (parent.children === noElements) parent.children = [element];
      else (parent.children as XElement[]).push(element);
      if (parent.nodes !== undefined) {
        element.nodes = [];
        parent.nodes.push(element);
      } else if (parent === root && element.local === 'metadata' && element.uri === '') {
        element.nodes = [];
        keepNodes();
      }
    }
    stack.push(element);
  });
  parser.on('closetag', () => {
    const element = stack.pop();
    if (element === undefined) return;
    lastClosed = element;
    element.end = parser.position;
  });
  // An XML declaration can only open the document (after a byte order mark).
  if (text.startsWith('<?xml', text.charCodeAt(0) === 0xfeff ? 1 : 0)) {
    parser.on('xmldecl', (declaration) => {
      if (declaration.version === '1.1') document.xmlVersion = '1.1';
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

/** The first `count` attributes in an array of their own, of exactly that size. */
function leading(attrs: readonly XAttr[], count: number): readonly XAttr[] {
  if (count === 0) return noAttributes;
  // Literals for the common sizes: cheaper than slice.
  const first = attrs[0];
  const second = attrs[1];
  if (count === 1 && first !== undefined) return [first];
  if (count === 2 && first !== undefined && second !== undefined) return [first, second];
  return attrs.slice(0, count);
}

// Most elements have no attributes, children or namespace declarations: they share these empty
// values instead of allocating their own (the arrays are not frozen: that would give them a
// different kind of elements from the others, and every loop over them a second shape to handle;
// the builder never adds to them, it replaces them).
const noAttributes: readonly XAttr[] = [];
const noElements: readonly XElement[] = [];
/** The `ns` of an element that declares no namespace. */
const noDeclarations: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);
