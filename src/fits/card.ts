// FITS header cards: parsing one 80-character card image and formatting cards back.
// A logical card may span several card images (long strings continued with CONTINUE); the
// header module joins those, this module formats them.
import { type Result, ok, err, assertNever } from '../util/result.js';

export const CARD_LENGTH = 80;

export type FitsValue =
  | { type: 'string'; value: string }
  | { type: 'logical'; value: boolean }
  | { type: 'integer'; value: bigint }
  // `text` keeps the written form (precision, D exponents) so a copied value is not altered.
  | { type: 'float'; value: number; text: string }
  | { type: 'complex'; text: string }
  | { type: 'undefined' };

export type Card =
  /** A standard keyword (at most 8 characters) with `= ` in columns 9-10. */
  | { kind: 'value'; name: string; value: FitsValue; comment: string | undefined; raw?: string[] }
  /** `HIERARCH <name> = value`; `name` is what follows HIERARCH, e.g. `ESO DET EXP ID`. */
  | { kind: 'hierarch'; name: string; value: FitsValue; comment: string | undefined; raw?: string[] }
  /** COMMENT, HISTORY, blank and any other keyword without a value indicator. */
  | { kind: 'commentary'; name: string; text: string; raw?: string[] }
  | { kind: 'end' };

const NAME_RE = /^[A-Z0-9_-]{1,8}$/;
const HIERARCH_NAME_RE = /^[!-<>-~]+( [!-<>-~]+)*$/; // printable, no '=', single spaces
const PRINTABLE_RE = /^[ -~]*$/;
const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([EDed][+-]?\d+)?$/;

export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

export function isValidHierarchName(name: string): boolean {
  return HIERARCH_NAME_RE.test(name);
}

export function isPrintable(s: string): boolean {
  return PRINTABLE_RE.test(s);
}

/** Parses one card image (exactly 80 printable characters). */
export function parseCard(image: string): Result<Card, string> {
  if (image.length !== CARD_LENGTH) return err(`card is ${image.length} characters, not 80`);
  if (!isPrintable(image)) return err('card holds characters other than printable ASCII');
  const name = image.slice(0, 8).trimEnd();
  if (name === 'END' && image.slice(8).trim() === '') return ok({ kind: 'end' });
  if (name !== '' && name !== 'HIERARCH' && !isValidName(name)) {
    return err(`invalid keyword name ${JSON.stringify(name)} (1-8 of A-Z 0-9 _ -, from column 1)`);
  }
  if (name === 'HIERARCH') {
    const rest = image.slice(8);
    const eq = rest.indexOf('=');
    if (eq < 0) return ok({ kind: 'commentary', name, text: rest.trimEnd(), raw: [image] });
    const hname = rest.slice(0, eq).trim().split(/ +/).join(' ');
    if (hname === '') return err('HIERARCH card without a keyword name');
    const field = parseValueField(rest.slice(eq + 1));
    if (!field.ok) return err(`${hname}: ${field.error}`);
    return ok({ kind: 'hierarch', name: hname, value: field.value.value, comment: field.value.comment, raw: [image] });
  }
  if (image.slice(8, 10) === '= ') {
    const field = parseValueField(image.slice(10));
    if (!field.ok) return err(`${name}: ${field.error}`);
    return ok({ kind: 'value', name, value: field.value.value, comment: field.value.comment, raw: [image] });
  }
  return ok({ kind: 'commentary', name, text: image.slice(8).trimEnd(), raw: [image] });
}

export interface ValueField {
  value: FitsValue;
  comment: string | undefined;
}

/** Parses the value field of a card: a value, then optionally ` / comment`. */
export function parseValueField(field: string): Result<ValueField, string> {
  let i = 0;
  while (i < field.length && field[i] === ' ') i++;
  if (field[i] === "'") {
    let s = '';
    let j = i + 1;
    for (;;) {
      if (j >= field.length) return err('string value without its closing quote');
      const c = field[j];
      if (c === "'") {
        if (field[j + 1] === "'") {
          s += "'";
          j += 2;
          continue;
        }
        break;
      }
      s += c;
      j++;
    }
    const after = field.slice(j + 1);
    const comment = parseComment(after);
    if (!comment.ok) return comment;
    // Trailing blanks are not significant; a string of blanks is one blank (FITS 4.0 §4.2.1).
    const trimmed = s.trimEnd();
    return ok({ value: { type: 'string', value: trimmed === '' && s !== '' ? ' ' : trimmed }, comment: comment.value });
  }
  const slash = field.indexOf('/', i);
  const token = (slash < 0 ? field.slice(i) : field.slice(i, slash)).trim();
  const comment = slash < 0 ? undefined : cleanComment(field.slice(slash + 1));
  const value = parseValueToken(token);
  if (!value.ok) return value;
  return ok({ value: value.value, comment });
}

function parseComment(after: string): Result<string | undefined, string> {
  const t = after.trimStart();
  if (t === '') return ok(undefined);
  if (t[0] !== '/') return err(`unexpected text after the string value: ${JSON.stringify(t.trimEnd())}`);
  return ok(cleanComment(t.slice(1)));
}

function cleanComment(c: string): string | undefined {
  const t = c.trim();
  return t === '' ? undefined : t;
}

function parseValueToken(token: string): Result<FitsValue, string> {
  if (token === '') return ok({ type: 'undefined' });
  if (token === 'T') return ok({ type: 'logical', value: true });
  if (token === 'F') return ok({ type: 'logical', value: false });
  if (INT_RE.test(token)) return ok({ type: 'integer', value: BigInt(token) });
  if (FLOAT_RE.test(token)) return ok({ type: 'float', value: Number(token.replace(/[Dd]/, 'E')), text: token });
  if (/^\(.*\)$/.test(token)) return ok({ type: 'complex', text: token });
  return err(`not a FITS value: ${JSON.stringify(token)}`);
}

/** The FITS value of a JSON value from a specification. */
export function valueFromJson(v: string | number | boolean): FitsValue {
  switch (typeof v) {
    case 'string':
      return { type: 'string', value: v };
    case 'boolean':
      return { type: 'logical', value: v };
    case 'number':
      if (Number.isSafeInteger(v)) return { type: 'integer', value: BigInt(v) };
      return { type: 'float', value: v, text: floatText(v) };
    // A keyword's value in a specification is a string, number or boolean: v's type rules these
    // out, and widening it (null, say) stops compiling here until the new case is handled.
    case 'bigint':
    case 'function':
    case 'object':
    case 'symbol':
    case 'undefined':
      return assertNever(v);
  }
}

/** A FITS real: always has a '.' or an exponent, exponent letter upper case. */
export function floatText(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  let s = String(x).toUpperCase();
  if (!/[.E]/.test(s)) s += '.0';
  return s;
}

function escapeString(s: string): string {
  return s.replace(/'/g, "''");
}

/**
 * The value as written in a card. `fixed`: the FITS fixed format (4.0 §4.2): a string's closing
 * quote at column 20 or later (padded inside the quotes to 8 characters), numbers and logicals
 * right-justified to column 30.
 */
export function formatValue(v: FitsValue, fixed: boolean): string {
  const right = (s: string): string => (fixed ? s.padStart(20) : s);
  switch (v.type) {
    case 'string':
      return `'${escapeString(v.value).padEnd(fixed ? 8 : 0)}'`;
    case 'logical':
      return right(v.value ? 'T' : 'F');
    case 'integer':
      return right(v.value.toString());
    case 'float':
      return right(v.text);
    case 'complex':
      return right(v.text);
    case 'undefined':
      return '';
    default:
      return assertNever(v);
  }
}

/**
 * The card images of a card. Unchanged cards read from a file keep their images; a comment that
 * does not fit is shortened; a string that does not fit is continued with CONTINUE cards.
 */
export function formatCard(card: Card): Result<string[], string> {
  switch (card.kind) {
    case 'end':
      return ok(['END'.padEnd(CARD_LENGTH)]);
    case 'commentary': {
      if (card.raw) return ok(card.raw);
      if (card.name !== '' && !isValidName(card.name)) return err(`invalid keyword name ${JSON.stringify(card.name)}`);
      if (!isPrintable(card.text)) return err(`${card.name}: text is not printable ASCII`);
      const width = CARD_LENGTH - 8;
      const images: string[] = [];
      let text = card.text;
      do {
        images.push((card.name.padEnd(8) + text.slice(0, width)).padEnd(CARD_LENGTH));
        text = text.slice(width);
      } while (text.length > 0);
      return ok(images);
    }
    case 'value':
    case 'hierarch': {
      if (card.raw) return ok(card.raw);
      let prefix: string;
      if (card.kind === 'value') {
        if (!isValidName(card.name)) return err(`invalid keyword name ${JSON.stringify(card.name)}`);
        prefix = card.name.padEnd(8) + '= ';
      } else {
        if (!isValidHierarchName(card.name)) return err(`invalid HIERARCH keyword name ${JSON.stringify(card.name)}`);
        prefix = `HIERARCH ${card.name} = `;
      }
      const v = card.value;
      if (v.type === 'string' && !isPrintable(v.value)) return err(`${card.name}: value is not printable ASCII`);
      if (card.comment !== undefined && !isPrintable(card.comment)) return err(`${card.name}: comment is not printable ASCII`);
      const fixed = card.kind === 'value';
      const head = prefix + formatValue(v, fixed);
      // Fixed format: a comment's ` / ` starts at column 31 (the slash at 32) after a short
      // value. Readers that rewrite headers (astropy) do so; the CHECKSUM must match their bytes.
      if (head.length <= CARD_LENGTH) return ok([withComment(fixed ? head.padEnd(FIXED_VALUE_END) : head, card.comment)]);
      if (v.type !== 'string') return err(`${card.name}: the keyword and its value do not fit in a card`);
      return longString(prefix, v.value, card.comment, card.name);
    }
    default:
      return assertNever(card);
  }
}

// Column 30: where a fixed-format value field ends.
const FIXED_VALUE_END = 30;

/** Appends ` / comment`, shortened to fit; pads to 80. */
function withComment(head: string, comment: string | undefined): string {
  if (comment === undefined || comment === '') return head.padEnd(CARD_LENGTH);
  const room = CARD_LENGTH - head.length - 3;
  if (room <= 0) return head.padEnd(CARD_LENGTH);
  return `${head} / ${comment.slice(0, room)}`.padEnd(CARD_LENGTH);
}

/** A long string over CONTINUE cards (FITS 4.0 §4.2.1.2): each piece but the last ends with `&`. */
function longString(prefix: string, value: string, comment: string | undefined, name: string): Result<string[], string> {
  // Escape per character so that a doubled quote is never split across two cards.
  const tokens = [...value].map((c) => (c === "'" ? "''" : c));
  const images: string[] = [];
  let lead = prefix;
  let t = 0;
  for (;;) {
    const room = CARD_LENGTH - lead.length - 3; // quote, ampersand, quote
    if (room < 1) return err(`${name}: the keyword name leaves no room for its value`);
    let piece = '';
    for (let next = tokens[t]; next !== undefined && piece.length + next.length <= room; next = tokens[++t]) piece += next;
    if (piece === '' && t < tokens.length) return err(`${name}: the keyword name leaves no room for its value`);
    if (t >= tokens.length) {
      const last = lead + `'${piece}'`;
      // A comment gets a card of its own when it would be cut to less than 20 characters.
      if (comment === undefined || comment === '' || last.length + 3 + Math.min(comment.length, 20) <= CARD_LENGTH) {
        images.push(withComment(last, comment));
      } else {
        images.push((lead + `'${piece}&'`).padEnd(CARD_LENGTH));
        images.push(withComment("CONTINUE  ''", comment));
      }
      return ok(images);
    }
    images.push((lead + `'${piece}&'`).padEnd(CARD_LENGTH));
    lead = 'CONTINUE  ';
  }
}

/** The card's keyword name as written in a header (HIERARCH cards: `HIERARCH <name>`). */
export function cardName(card: Card): string {
  switch (card.kind) {
    case 'value':
    case 'commentary':
      return card.name;
    case 'hierarch':
      return `HIERARCH ${card.name}`;
    case 'end':
      return 'END';
    default:
      return assertNever(card);
  }
}
