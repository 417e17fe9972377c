// Keyword rules of a fitsFile source: selection patterns, `filter` and `transform`, applied as
// a pipeline over the keywords of the source's primary header.
import { type Card, isValidHierarchName, isValidName } from './card.js';
import type { KeywordRule } from './dpspec.types.js';
import { type Result, ok, err, assertNever } from '../util/result.js';

/** v: value keyword, e: (ESO) HIERARCH keyword, c: commentary keyword. */
export type KeywordClass = 'v' | 'e' | 'c';

export interface Classified {
  cls: KeywordClass;
  /** The name patterns match and transforms rewrite: for ESO keywords, what follows `HIERARCH ESO `. */
  logical: string;
}

export function classify(card: Card): Classified | null {
  switch (card.kind) {
    case 'value':
      return { cls: 'v', logical: card.name };
    case 'hierarch':
      return { cls: 'e', logical: card.name.startsWith('ESO ') ? card.name.slice(4) : card.name };
    case 'commentary':
      return { cls: 'c', logical: card.name };
    case 'end':
      return null;
    default:
      return assertNever(card);
  }
}

export interface SelectionPattern {
  text: string;
  add: boolean;
  classes: ReadonlySet<KeywordClass>;
  name: RegExp;
}

/** Translates a name glob (`*`, `?`, `[...]`, `[!...]`) into an anchored regular expression. */
export function globToRegExp(glob: string): Result<RegExp, string> {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i); // i < glob.length
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2); // a ']' right after '[' (or '[!') is a member
      if (close < 0) return err(`unclosed '[' in ${JSON.stringify(glob)}`);
      let body = glob.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return ok(new RegExp(`^${re}$`));
  } catch (e) {
    return err(`invalid name pattern ${JSON.stringify(glob)}: ${(e as Error).message}`);
  }
}

/** Parses `<sign><classes> <name-glob>`, e.g. `+e INS *` or `-ve DET*`. */
export function compilePattern(text: string): Result<SelectionPattern, string> {
  const m = /^(?<sign>[+-])(?<classes>[vec]+) (?<glob>.*)$/.exec(text)?.groups;
  if (!m?.sign || !m.classes || m.glob === undefined) return err(`${JSON.stringify(text)} is not <sign><classes> <name-glob> (e.g. "+e INS *")`);
  const name = globToRegExp(m.glob);
  if (!name.ok) return name;
  return ok({ text, add: m.sign === '+', classes: new Set(m.classes.split('') as KeywordClass[]), name: name.value });
}

/** Whether the patterns select a keyword: the last pattern that matches it decides. */
export function isSelected(patterns: readonly SelectionPattern[], k: Classified): boolean {
  let selected = false;
  for (const p of patterns) if (p.classes.has(k.cls) && p.name.test(k.logical)) selected = p.add;
  return selected;
}

export type CompiledRule =
  | { type: 'filter'; patterns: SelectionPattern[] }
  | { type: 'transform'; patterns: SelectionPattern[]; regex: RegExp; format: string };

export interface RuleError {
  /** JSON pointer relative to the rule list, e.g. `/1/regex`. */
  path: string;
  message: string;
}

export function compileRules(rules: readonly KeywordRule[]): Result<CompiledRule[], RuleError> {
  const out: CompiledRule[] = [];
  for (const [r, rule] of rules.entries()) {
    const patterns: SelectionPattern[] = [];
    for (const [p, text] of rule.selectionPatterns.entries()) {
      const c = compilePattern(text);
      if (!c.ok) return err({ path: `/${r}/selectionPatterns/${p}`, message: c.error });
      patterns.push(c.value);
    }
    switch (rule.type) {
      case 'filter':
        out.push({ type: 'filter', patterns });
        break;
      case 'transform': {
        let regex: RegExp;
        try {
          // Global like std::regex_replace, which daqDpmMerge uses: every match is rewritten.
          regex = new RegExp(rule.regex, 'g');
        } catch (e) {
          return err({ path: `/${r}/regex`, message: `invalid regular expression: ${(e as Error).message}` });
        }
        out.push({ type: 'transform', patterns, regex, format: rule.format });
        break;
      }
      default:
        return assertNever(rule);
    }
  }
  return ok(out);
}

/**
 * Runs the rules in order, each on the output of the previous; an empty list copies nothing. A transform renames selected
 * value and ESO keywords; a name that would not be a valid keyword name leaves the keyword
 * unchanged, with a warning. Commentary keywords are never renamed.
 */
export function applyRules(cards: readonly Card[], rules: readonly CompiledRule[], warn: (message: string) => void): Card[] {
  // The contract: no rules at all copies everything (the caller skips this), an empty list nothing.
  if (rules.length === 0) return [];
  let current = [...cards];
  for (const rule of rules) {
    switch (rule.type) {
      case 'filter':
        current = current.filter((c) => {
          const k = classify(c);
          return k !== null && isSelected(rule.patterns, k);
        });
        break;
      case 'transform':
        current = current.map((c) => {
          const k = classify(c);
          if (k === null || k.cls === 'c' || !isSelected(rule.patterns, k)) return c;
          const renamed = k.logical.replace(rule.regex, rule.format);
          if (renamed === k.logical) return c;
          if (c.kind === 'value') {
            if (isValidName(renamed)) return { kind: 'value', name: renamed, value: c.value, comment: c.comment };
            warn(`transform: ${c.name} -> ${JSON.stringify(renamed)} is not a valid keyword name (1-8 of A-Z 0-9 _ -); kept as ${c.name}`);
            return c;
          }
          if (c.kind === 'hierarch') {
            const name = (c.name.startsWith('ESO ') ? 'ESO ' : '') + renamed.trim();
            if (renamed.trim() !== '' && isValidHierarchName(name)) return { kind: 'hierarch', name, value: c.value, comment: c.comment };
            warn(`transform: HIERARCH ${c.name} -> ${JSON.stringify(renamed)} is not a valid keyword name; kept as it was`);
            return c;
          }
          return c;
        });
        break;
      default:
        assertNever(rule);
    }
  }
  return current;
}
