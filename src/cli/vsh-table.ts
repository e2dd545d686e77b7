// virsh's table layout (tools/vsh-table.c): every cell after one space, columns padded to
// their widest cell plus two spaces (not the last), a rule of dashes (width + 3 per column).

const graphemes = new Intl.Segmenter();

/** Characters as a terminal shows them (vsh-table counts wide characters; names rarely have any). */
function displayWidth(text: string): number {
  let width = 0;
  for (const segment of graphemes.segment(text)) width += segment.segment === '' ? 0 : 1;
  return width;
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) =>
    Math.max(displayWidth(cell), ...rows.map((row) => displayWidth(row[column] ?? ''))));
  const line = (cells: readonly string[]): string =>
    `${cells.map((cell, column) => {
      const last = column === cells.length - 1;
      return last ? ` ${cell}` : ` ${cell}${' '.repeat((widths[column] ?? 0) - displayWidth(cell) + 2)}`;
    }).join('')}\n`;
  const rule = `${widths.map((width) => '-'.repeat(width + 3)).join('')}\n`;
  return line(header) + rule + rows.map(line).join('');
}
