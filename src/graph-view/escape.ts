// Label text is data (wildcard values come from files and lists): every renderer escapes it for
// the language it writes, so a value can neither break the syntax nor inject markup.

/** Text for XML and HTML, in content and in quoted attributes. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A DOT double-quoted string, quotes included. Backslashes are doubled so Graphviz's escapes
 * (\N, \G, \l) in a value stay text; a line break is written as the \n Graphviz breaks on. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n|\r/g, '\\n')}"`;
}
