// Just enough of the kernel's command-line syntax (lib/cmdline.c, next_arg) to tell which
// parameters a <cmdline> already sets: words split on whitespace outside double quotes, a
// parameter's key is the text before its first '=', and everything after a lone `--` goes to
// init, not to the kernel.

export interface KernelCommandLine {
  /** True when the kernel part sets the key asked about (quotes removed: `"con"sole=` sets console). */
  hasKey: boolean;
  /** Offset of the `--` word that starts init's arguments, or undefined when there is none. */
  initArgsOffset: number | undefined;
}

const QUOTE = 0x22;
const EQUALS = 0x3d;
const DASH = 0x2d;

/** Reads `text` up to init's arguments, looking for the parameter `key`. */
export function scanKernelCommandLine(text: string, key: string): KernelCommandLine {
  // Words are compared in place, never cut out: planning reads every domain's command line.
  let hasKey = false;
  let offset = 0;
  while (offset < text.length) {
    while (offset < text.length && isSpace(text.charCodeAt(offset))) offset++;
    if (offset >= text.length) break;
    const start = offset;
    let inQuote = false;
    while (offset < text.length && (inQuote || !isSpace(text.charCodeAt(offset)))) {
      if (text.charCodeAt(offset) === QUOTE) inQuote = !inQuote;
      offset++;
    }
    if (offset - start === 2 && text.charCodeAt(start) === DASH && text.charCodeAt(start + 1) === DASH) {
      return { hasKey, initArgsOffset: start };
    }
    hasKey ||= wordHasKey(text, start, offset, key);
  }
  return { hasKey, initArgsOffset: undefined };
}

// The key of the word text[start, end): what comes before its first '=', quotes removed.
function wordHasKey(text: string, start: number, end: number, key: string): boolean {
  let matched = 0;
  for (let offset = start; offset < end; offset++) {
    const code = text.charCodeAt(offset);
    if (code === QUOTE) continue;
    if (code === EQUALS) break;
    if (matched === key.length || code !== key.charCodeAt(matched)) return false;
    matched++;
  }
  return matched === key.length;
}

/** True when the kernel part of the command line sets `key`. */
export function hasKernelParameter(text: string | undefined, key: string): boolean {
  return text !== undefined && scanKernelCommandLine(text, key).hasKey;
}

/**
 * Adds kernel parameters to a command line kept otherwise verbatim: at the end, or before
 * `--` when init arguments follow (after it they would reach init, not the kernel).
 * `initArgsOffset` is where `--` is in `text`, when the caller has scanned it already.
 */
export function appendKernelParameters(text: string, parameters: string[],
  initArgsOffset: number | undefined = scanKernelCommandLine(text, '').initArgsOffset): string {
  if (parameters.length === 0) return text;
  const added = parameters.length === 1 ? parameters[0] ?? '' : parameters.join(' ');
  if (initArgsOffset !== undefined) return `${text.slice(0, initArgsOffset)}${added} ${text.slice(initArgsOffset)}`;
  if (text.trim() === '') return added;
  return isSpace(text.charCodeAt(text.length - 1)) ? `${text}${added}` : `${text} ${added}`;
}

// The kernel's isspace(): space, \t, \n, \v, \f, \r.
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}
