// Label text is data (wildcard values come from files and lists): every renderer escapes it for
// the language it writes, so a value can neither break the syntax nor inject markup.

/** Text for XML and HTML, in content and in quoted attributes. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A DOT double-quoted string, quotes included. Backslashes are doubled so Graphviz's escapes
 * (\N, \G, \l) in a label stay text and no value can end the string early; a line break is
 * written as the \n Graphviz breaks on. (In a node name Graphviz keeps the doubled backslash:
 * still one name per job, and the label shows the value as it is.) */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n|\r/g, '\\n')}"`;
}

/** A DOT label or tooltip: Graphviz reads &-entities in these, so a value's & is written &amp;. */
export function dotLabel(s: string): string {
  return dotString(s.replace(/&/g, '&amp;'));
}
