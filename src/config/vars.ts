// Variables and their precedence: --set NAME=VALUE > Daxfile > environment DAX_VAR_NAME.
import type { ConfigError, Var } from './model.js';
import { err, ok, type Result } from '../util/result.js';
import { didYouMean } from './suggest.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_PREFIX = 'DAX_VAR_';

/** The DAX_VAR_ variables of an environment, sorted: part of what a cached answer depends on. */
export function daxVarEnv(env: NodeJS.ProcessEnv): Array<[string, string]> {
  return Object.entries(env)
    .filter((e): e is [string, string] => e[0].startsWith(ENV_PREFIX) && e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Parses the CLI's `--set NAME=VALUE` options (the value may contain '='). */
export function parseSets(items: readonly string[]): Result<Record<string, string>, ConfigError> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      return err({ key: '--set', message: `expected NAME=VALUE, got ${JSON.stringify(item)}`, hint: `write --set ${item || 'NAME'}=VALUE` });
    }
    const name = item.slice(0, eq);
    if (!NAME.test(name)) {
      return err({ key: '--set', message: `invalid variable name ${JSON.stringify(name)} in ${JSON.stringify(item)}; expected letters, digits and _ (not starting with a digit)` });
    }
    out[name] = item.slice(eq + 1);
  }
  return ok(out);
}

/**
 * Final vars. `fromFiles` holds the Daxfile's (already merged: the including file wins).
 * The environment may define vars the Daxfile does not (that is what its lowest precedence is
 * for); --set may only override a var defined in the Daxfile or the environment, so that a
 * misspelt --set is an error rather than silently ignored.
 */
export function resolveVars(
  fromFiles: Record<string, Var>,
  sets: Record<string, string>,
  env: NodeJS.ProcessEnv,
  projectDir: string,
): Result<Record<string, Var>, ConfigError> {
  const vars: Record<string, Var> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(ENV_PREFIX) || v === undefined) continue;
    const name = k.slice(ENV_PREFIX.length);
    if (NAME.test(name)) vars[name] = { value: v, baseDir: projectDir };
  }
  Object.assign(vars, fromFiles);
  for (const [name, value] of Object.entries(sets)) {
    if (!NAME.test(name)) {
      return err({ key: '--set', message: `invalid variable name ${JSON.stringify(name)}; expected letters, digits and _ (not starting with a digit)` });
    }
    if (!(name in vars)) {
      const known = Object.keys(vars);
      return err({
        key: '--set',
        message: `unknown variable '${name}' in --set ${name}=${value}; defined: ${known.length ? known.join(', ') : '(none)'}`,
        hint: didYouMean(name, known) ?? `define '${name}' under vars: in the Daxfile (or as ${ENV_PREFIX}${name} in the environment)`,
      });
    }
    vars[name] = { value, baseDir: projectDir };
  }
  return ok(vars);
}
