// <metadata>: kept as written. Like libvirt, only namespaced elements are kept, the first per
// namespace; each is made to stand alone by declaring on it the namespaces its subtree uses
// that were declared outside it.
import type { XmlElementNode, XmlNode } from './domain-def.js';
import type { XElement, XText } from './xml-tree.js';

export function readMetadata(element: XElement, root: XElement): XmlNode[] {
  const kept: XmlNode[] = [];
  const namespaces = new Set<string>();
  for (const node of element.nodes ?? []) {
    if (node.kind === 'comment') {
      kept.push({ kind: 'comment', text: node.text });
    } else if (node.kind === 'element' && node.uri !== '' && !namespaces.has(node.uri)) {
      namespaces.add(node.uri);
      const copy = copyElement(node);
      copy.inheritedNamespaces = inheritedNamespaces(node, [element.ns, root.ns]);
      kept.push(copy);
    }
  }
  return kept;
}

function copyElement(element: XElement): XmlElementNode {
  return {
    kind: 'element',
    name: element.name,
    uri: element.uri,
    attributes: element.attrs.map((attr) => ({ name: attr.name, value: attr.value })),
    inheritedNamespaces: [],
    children: (element.nodes ?? []).map(copyNode),
  };
}

function copyNode(node: XElement | XText): XmlNode {
  return node.kind === 'element' ? copyElement(node) : { kind: node.kind, text: node.text };
}

/** Prefixes used in `top`'s subtree but declared outside it, resolved in `outer` (innermost first). */
function inheritedNamespaces(top: XElement, outer: Record<string, string>[]): { prefix: string; uri: string }[] {
  const found = new Map<string, string>();
  const need = (prefix: string, declared: ReadonlySet<string>): void => {
    if (declared.has(prefix) || found.has(prefix) || prefix === 'xml') return;
    for (const scope of outer) {
      const uri = scope[prefix];
      if (uri !== undefined) {
        if (uri !== '') found.set(prefix, uri);
        return;
      }
    }
  };
  // The tree is at most MAX_XML_DEPTH deep, so recursion is safe.
  const walk = (element: XElement, inside: ReadonlySet<string>): void => {
    const declared = new Set(inside);
    for (const prefix in element.ns) declared.add(prefix);
    if (element.prefix !== '' || element.uri !== '') need(element.prefix, declared);
    for (const attr of element.attrs) {
      if (attr.prefix !== '' && attr.prefix !== 'xmlns') need(attr.prefix, declared);
    }
    for (const childElement of element.children) walk(childElement, declared);
  };
  walk(top, new Set());
  return [...found].map(([prefix, uri]) => ({ prefix, uri }));
}
