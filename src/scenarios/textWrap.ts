/** What a line of the plain reports may take: a terminal at 120 columns shows each one whole. */
export const LINE_WIDTH_MAX = 120;

/**
 * `text` broken at spaces into lines of at most `width` characters; each continuation starts with `indent`. A word
 * longer than a whole line is cut where it must be (a name is still readable across the break).
 */
export function wrapLine(text: string, width = LINE_WIDTH_MAX, indent = '    '): string[] {
  const lines: string[] = [];
  // An indent wider than half a line would leave no room to make progress: continue at the left edge then.
  const continuation = indent.length <= width / 2 ? indent : '';
  let rest = text;
  let lead = '';
  while ((lead + rest).length > width) {
    const room = width - lead.length;
    const cut = rest.lastIndexOf(' ', room);
    // A break only where it leaves something on this line (not inside the indent of a continuation).
    const at = cut > 0 && rest.slice(0, cut).trim().length > 0 ? cut : room;
    lines.push((lead + rest.slice(0, at)).trimEnd());
    rest = rest.slice(at).trimStart();
    lead = continuation;
  }
  lines.push(lead + rest);
  return lines;
}

/** Each line of a block wrapped with `wrapLine`, continuation lines indented like the line they continue plus `extra`. */
export function wrapBlock(lines: readonly string[], width = LINE_WIDTH_MAX, extra = '    '): string {
  return lines.flatMap((line) => wrapLine(line, width, (/^ */.exec(line)?.[0] ?? '') + extra)).join('\n');
}
