// Text from outside (wildcard values, file names, a job's output) made safe for one line of a
// terminal or a mail: control characters are shown escaped, never acted on (a newline in a
// value does not forge a log line; an ESC does not move the cursor).
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f\x9b]/g;
const ANY_CONTROL = /[\x00-\x08\x0a-\x1f\x7f\x9b]/;

export function printable(s: string): string {
  // Most lines have none: a test is much cheaper than a replace with a callback.
  if (!ANY_CONTROL.test(s)) return s;
  return s.replace(CONTROL, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\x1b':
        return '\\e';
      default:
        return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  });
}
