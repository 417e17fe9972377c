// Job names: `rule[w1=v1,w2=v2]`, the values labelled in the rule's wildcard order, so a name
// printed by dax can be pasted back as a target. Values are data: the characters that would
// make a name ambiguous (`,` `]` `%`) or unprintable (controls) are written as %XX.

const SPECIAL = /[\u0000-\u001f\u007f,\]%]/;
const SPECIAL_ALL = /[\u0000-\u001f\u007f,\]%]/g;

export function escapeValue(v: string): string {
  return SPECIAL.test(v) ? v.replace(SPECIAL_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`) : v;
}

function unescapeValue(v: string): string {
  return v.includes('%') ? v.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : v;
}

/** The name of a rule's job with these values. */
export function formatJobName(rule: string, wildcards: readonly string[], values: Record<string, string>): string {
  if (wildcards.length === 0) return rule;
  let s = rule + '[';
  for (let i = 0; i < wildcards.length; i++) {
    if (i > 0) s += ',';
    s += wildcards[i]! + '=' + escapeValue(values[wildcards[i]!]!);
  }
  return s + ']';
}

/** A job name taken apart: the rule, and each item as `label=value` or a bare value. */
export interface ParsedJobName {
  rule: string;
  items: Array<{ label: string | undefined; value: string }>;
}

/** Undefined unless `text` is shaped `rule[...]`. */
export function parseJobName(text: string): ParsedJobName | undefined {
  const open = text.indexOf('[');
  if (open <= 0 || !text.endsWith(']')) return undefined;
  const rule = text.slice(0, open);
  const body = text.slice(open + 1, -1);
  const items = body === '' ? [] : body.split(',').map((part) => {
    const eq = part.indexOf('=');
    // A label is a wildcard name; anything else before '=' is part of a bare value.
    return eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part.slice(0, eq))
      ? { label: part.slice(0, eq), value: unescapeValue(part.slice(eq + 1)) }
      : { label: undefined, value: unescapeValue(part) };
  });
  return { rule, items };
}

/**
 * The id a journal of dax before 0.2 used for a job (`rule[v1,v2]`, values unlabelled), in
 * today's form. `wildcardsOf` gives a rule's wildcards; an id of an unknown rule, or whose
 * value count does not fit, is left as it is (it names no job of this pipeline).
 */
export function upgradeJobId(id: string, wildcardsOf: (rule: string) => readonly string[] | undefined): string {
  const open = id.indexOf('[');
  if (open <= 0 || !id.endsWith(']')) return id;
  const wildcards = wildcardsOf(id.slice(0, open));
  if (!wildcards || wildcards.length === 0) return id;
  const parts = id.slice(open + 1, -1).split(',');
  if (parts.length !== wildcards.length) return id;
  // Already labelled (written by this dax into an older journal whose rewrite failed).
  if (parts.every((p, i) => p.startsWith(wildcards[i]! + '='))) return id;
  const values: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) values[wildcards[i]!] = unescapeValue(parts[i]!);
  return formatJobName(id.slice(0, open), wildcards, values);
}
