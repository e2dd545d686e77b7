// Just enough of the kernel's command-line syntax (lib/cmdline.c, next_arg) to tell which
// parameters a <cmdline> already sets: words split on whitespace outside double quotes, a
// parameter's key is the text before its first '=', and everything after a lone `--` goes to
// init, not to the kernel.

export interface KernelCommandLine {
  /** Keys of the kernel parameters, quotes removed (`console`, `root`, `quiet`, …). */
  keys: Set<string>;
  /** Offset of the `--` word that starts init's arguments, or undefined when there is none. */
  initArgsOffset: number | undefined;
}

export function parseKernelCommandLine(text: string): KernelCommandLine {
  const keys = new Set<string>();
  let offset = 0;
  while (offset < text.length) {
    while (offset < text.length && isSpace(text.charCodeAt(offset))) offset++;
    if (offset >= text.length) break;
    const start = offset;
    let inQuote = false;
    while (offset < text.length && (inQuote || !isSpace(text.charCodeAt(offset)))) {
      if (text[offset] === '"') inQuote = !inQuote;
      offset++;
    }
    const word = text.slice(start, offset);
    if (word === '--') return { keys, initArgsOffset: start };
    const equals = word.indexOf('=');
    keys.add((equals === -1 ? word : word.slice(0, equals)).replaceAll('"', ''));
  }
  return { keys, initArgsOffset: undefined };
}

/** True when the kernel part of the command line sets `key`. */
export function hasKernelParameter(text: string | undefined, key: string): boolean {
  return text !== undefined && parseKernelCommandLine(text).keys.has(key);
}

/**
 * Adds kernel parameters to a command line kept otherwise verbatim: at the end, or before
 * `--` when init arguments follow (after it they would reach init, not the kernel). `parsed`
 * is `text` already parsed, when the caller has it.
 */
export function appendKernelParameters(text: string, parameters: string[],
  parsed: KernelCommandLine = parseKernelCommandLine(text)): string {
  if (parameters.length === 0) return text;
  const added = parameters.join(' ');
  const { initArgsOffset } = parsed;
  if (initArgsOffset !== undefined) return `${text.slice(0, initArgsOffset)}${added} ${text.slice(initArgsOffset)}`;
  if (text.trim() === '') return added;
  return isSpace(text.charCodeAt(text.length - 1)) ? `${text}${added}` : `${text} ${added}`;
}

// The kernel's isspace(): space, \t, \n, \v, \f, \r.
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}
