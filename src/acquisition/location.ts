// A source's or receiver's location: `host:path` on another host, or a local path.

/** `host:path`, as opposed to a local path (which may itself contain a colon after a slash). */
export function isRemote(location: string): boolean {
  const colon = location.indexOf(':');
  return colon > 0 && !location.slice(0, colon).includes('/');
}
