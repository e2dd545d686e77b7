// The element tree's character data: what each element's `text` holds, whatever the markup
// around it (entities, CDATA, comments, processing instructions, line ends, child elements).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDomainXML } from '../../src/conf/index.js';
import { parseXmlTree, type XElement } from '../../src/conf/xml-tree.js';

function texts(element: XElement): string[] {
  return [element.text, ...element.children.flatMap(texts)];
}

test('an element holds its own text: entities and character references expanded', () => {
  const root = parseXmlTree("<a>x &lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x1F600; y</a>");
  assert.equal(root.text, 'x <>&\'" AB\u{1F600} y');
});

test('CDATA is text as written; comments and processing instructions are not text', () => {
  const root = parseXmlTree('<a>1<![CDATA[<b>&amp;]]]]>2<!-- c -->3<?pi data?>4<![CDATA[]]></a>');
  assert.equal(root.text, '1<b>&amp;]]234');
});

test('line ends become \\n, as XML reads them; tabs and other whitespace stay', () => {
  assert.equal(parseXmlTree('<a>1\r\n2\r3\n4\t5 </a>').text, '1\n2\n3\n4\t5 ');
  assert.equal(parseXmlTree('<a>1&#13;2&#10;3</a>').text, '1\r2\n3');
  assert.equal(parseXmlTree('<a>\r\n</a>').text, '\n');
});

test('XML 1.1 also reads NEL and LINE SEPARATOR as line ends', () => {
  assert.equal(parseXmlTree('<?xml version="1.1"?><a>1\u00852\u20283\r\u00854</a>').text, '1\n2\n3\n4');
  assert.equal(parseXmlTree('<?xml version="1.0"?><a>1\u00852\u20283</a>').text, '1\u00852\u20283');
});

test('the text of an element with children is its own text, in order, without theirs', () => {
  const root = parseXmlTree('<a> x <b>y<c>z</c>w</b>\r\nv<d/>&amp;<e></e></a>');
  assert.deepEqual(texts(root), [' x \nv&', 'yw', 'z', '', '']);
});

test('empty and self-closing elements have empty text; whitespace is kept', () => {
  const root = parseXmlTree('<a><b/><c></c><d> </d><e>\n  </e></a>');
  assert.deepEqual(texts(root), ['', '', '', ' ', '\n  ']);
});

test('element text reaches the DomainDef unchanged', () => {
  const def = parseDomainXML(
    "<domain type='firecracker'><name>n<!-- x -->m</name><description>a\r\nb<![CDATA[ & <c>]]>&#9;</description>" +
    '<memory>10<?x?>24</memory><os><type>h<![CDATA[v]]>m</type><kernel>/k&amp;</kernel></os></domain>');
  assert.equal(def.name, 'nm');
  assert.equal(def.description, 'a\nb & <c>\t');
  assert.equal(def.memoryKiB, 1024);
  assert.equal(def.os.kernel, '/k&');
});
