// A small element tree built from saxes events: just what the domain parser walks, with the
// offset of each start tag so messages can name a line. Full content (text, CDATA, comments in
// order) is kept only under <metadata>, the one place that is written back verbatim.
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
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
  return new VirError('VIR_ERR_XML_ERROR', `malformed XML at line ${line}, column ${column}: ${detail}`, {
    domain: 'VIR_FROM_XML',
  });
}

/**
 * Parses XML text into an element tree. Malformed XML becomes a VIR_ERR_XML_ERROR naming the
 * line and column; the first error stops the parse.
 */
export function parseXmlTree(text: string): XElement {
  const document = new XDocument(text);
  const parser = new SaxesParser<{ xmlns: true }>({ xmlns: true });
  const stack: XElement[] = [];
  let root: XElement | undefined;
  let startOffset = 0;

  parser.on('opentagstart', (tag) => {
    // saxes has read the name and the character after it; step back to the '<'.
    let offset = parser.position - tag.name.length - 2;
    if (text.charCodeAt(offset) !== 60 && text.charCodeAt(offset - 1) === 60) offset -= 1;
    startOffset = offset;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const parent = stack[stack.length - 1];
    if (stack.length >= MAX_XML_DEPTH) {
      const where = document.position(startOffset);
      throw malformed(where.line, where.column, `elements are nested deeper than ${MAX_XML_DEPTH} levels`);
    }
    const attrs: XAttr[] = [];
    for (const key in tag.attributes) {
      const attribute = tag.attributes[key];
      if (attribute === undefined) continue;
      attrs.push({
        name: attribute.name,
        prefix: attribute.prefix,
        local: attribute.local,
        uri: attribute.uri,
        value: attribute.value,
        used: false,
      });
    }
    const keepNodes =
      parent !== undefined &&
      (parent.nodes !== undefined || (parent === root && tag.local === 'metadata' && tag.uri === ''));
    const element: XElement = {
      kind: 'element',
      name: tag.name,
      prefix: tag.prefix,
      local: tag.local,
      uri: tag.uri,
      attrs,
      ns: tag.ns,
      children: [],
      text: '',
      nodes: keepNodes ? [] : undefined,
      offset: startOffset,
      document,
      used: false,
    };
    if (parent === undefined) {
      root = element;
    } else {
      parent.children.push(element);
      parent.nodes?.push(element);
    }
    stack.push(element);
  });
  let lastClosed: XElement | undefined;
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
  parser.on('cdata', (chunk) => {
    const top = stack[stack.length - 1];
    if (top === undefined) return;
    top.text += chunk;
    top.nodes?.push({ kind: 'cdata', text: chunk });
  });
  parser.on('comment', (comment) => {
    stack[stack.length - 1]?.nodes?.push({ kind: 'comment', text: comment });
  });
  parser.on('error', (error) => {
    const match = /^(\d+):(\d+): ([^]*?)\.?$/.exec(error.message);
    let detail = match?.[3] ?? error.message;
    const innermost = stack[stack.length - 1];
    if (detail.startsWith('unclosed tag') && innermost !== undefined) {
      // The end of the text says little; the start tag that was never closed says where to look.
      const where = document.position(innermost.offset);
      throw malformed(where.line, where.column, detail);
    }
    if (detail === 'unexpected close tag' && lastClosed !== undefined) {
      // saxes has just given up on the innermost open element: name both tags, point at the closing one.
      const closing = /<\/([^\s>]*)\s*>$/.exec(text.slice(Math.max(0, parser.position - 300), parser.position));
      const opened = document.position(lastClosed.offset);
      const message = `unexpected close tag${closing === null ? '' : ` </${closing[1] ?? ''}>`}: <${lastClosed.name}> opened at line ${String(opened.line)} is still open`;
      const at = closing === null ? { line: parser.line, column: parser.column } : document.position(parser.position - closing[0].length);
      throw malformed(at.line, Math.max(1, at.column), message);
    } else if (detail === 'undefined entity') {
      detail = 'undefined entity: only the predefined entities (&lt; &gt; &amp; &apos; &quot;) and character references are expanded';
    }
    throw malformed(parser.line, Math.max(1, parser.column), detail);
  });

  parser.write(text).close();
  if (root === undefined) throw malformed(1, 1, 'document must contain a root element');
  return root;
}
