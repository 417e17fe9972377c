// Wildcard constraints. The engine matches values with the same compiled form.
import { err, ok, type Result } from '../util/result.js';

/** A value of a wildcard without a pattern: one path segment. */
export const DEFAULT_WILDCARD_PATTERN = '[^/]+';

/** The regex a wildcard value must match in full. */
export function compileWildcardPattern(source: string): Result<RegExp, string> {
  try {
    return ok(new RegExp(`^(?:${source})$`));
  } catch (e) {
    return err(`invalid regular expression ${JSON.stringify(source)}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}
