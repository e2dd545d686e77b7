// Escaping as libvirt's virBufferEscapeString does (<, >, &, ' and " become entities; control
// characters XML cannot hold are dropped), plus the characters XML would otherwise normalise
// away on the next read: tab, newline and carriage return in attributes, carriage return in text.

// eslint-disable-next-line no-control-regex -- the control characters are what this escapes
const needsEscape = /[<>&'"\u0000-\u001f]/;
// eslint-disable-next-line no-control-regex -- the control characters are what this escapes
const textSpecials = /[<>&'"\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
// eslint-disable-next-line no-control-regex -- the control characters are what this escapes
const attributeSpecials = /[<>&'"\t\n\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

const entities: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function replace(char: string): string {
  return entities[char] ?? '';
}

/** Text content of an element. */
export function escapeText(text: string): string {
  return needsEscape.test(text) ? text.replace(textSpecials, replace) : text;
}

/** An attribute value, to be written between single quotes. */
export function escapeAttribute(value: string): string {
  return needsEscape.test(value) ? value.replace(attributeSpecials, replace) : value;
}
