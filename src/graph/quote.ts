// Shell quoting for values substituted into `/bin/sh -c` commands: a value is data, never code.
const SAFE = /^[A-Za-z0-9_\-+=.,:/@%^]+$/;

export function shellQuote(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
