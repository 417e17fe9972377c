// FITS headers: card images in 2880-byte blocks, ended by END. Reading joins long strings
// continued by CONTINUE cards into one logical card; writing pads the last block with blanks.
import { type Card, type FitsValue, CARD_LENGTH, parseCard, parseValueField, formatCard } from './card.js';
import { type Result, ok, err } from '../util/result.js';

export const BLOCK = 2880;
export const CARDS_PER_BLOCK = BLOCK / CARD_LENGTH;

/** Bytes rounded up to whole 2880-byte blocks. */
export function padded(bytes: number): number {
  return Math.ceil(bytes / BLOCK) * BLOCK;
}

/**
 * Parses the card images of a header (END excluded) into logical cards. A string value whose
 * last character is `&` followed by CONTINUE cards is one long string (FITS 4.0 §4.2.1.2).
 */
export function parseHeader(images: readonly string[]): Result<Card[], string> {
  const cards: Card[] = [];
  let i = 0;
  for (let image = images[0]; image !== undefined; image = images[++i]) {
    const parsed = parseCard(image);
    if (!parsed.ok) return err(`card ${i + 1}: ${parsed.error}`);
    let card = parsed.value;
    if (card.kind === 'end') return err(`card ${i + 1}: END before the end of the header`);
    let next: string | undefined;
    while (
      (card.kind === 'value' || card.kind === 'hierarch') &&
      card.value.type === 'string' &&
      card.value.value.endsWith('&') &&
      (next = images[i + 1]) !== undefined &&
      next.startsWith('CONTINUE  ')
    ) {
      const cont = parseValueField(next.slice(8));
      if (!cont.ok || cont.value.value.type !== 'string') break; // not a continuation: leave it as it is
      const comment = [card.comment, cont.value.comment].filter((c) => c !== undefined).join(' ');
      card = {
        ...card,
        value: { type: 'string', value: card.value.value.slice(0, -1) + cont.value.value.value },
        comment: comment === '' ? undefined : comment,
        raw: [...(card.raw ?? []), next],
      };
      i++;
    }
    cards.push(card);
  }
  return ok(cards);
}

export interface SerializedHeader {
  bytes: Buffer;
  /** The index of each card's first image: its byte offset is 80 times that. */
  firstImage: number[];
}

/** Serializes cards (without END) into whole blocks, with END and blank padding. */
export function serializeHeader(cards: readonly Card[]): Result<SerializedHeader, string> {
  const images: string[] = [];
  const firstImage: number[] = [];
  for (const card of cards) {
    const f = formatCard(card);
    if (!f.ok) return f;
    firstImage.push(images.length);
    images.push(...f.value);
  }
  images.push('END'.padEnd(CARD_LENGTH));
  const text = images.join('');
  const bytes = Buffer.alloc(padded(text.length), 0x20);
  bytes.write(text, 0, 'latin1');
  return ok({ bytes, firstImage });
}

/** The value of the first value keyword named `name`. */
export function getValue(cards: readonly Card[], name: string): FitsValue | undefined {
  for (const c of cards) if (c.kind === 'value' && c.name === name) return c.value;
  return undefined;
}

/** An integer keyword's value; `undefined` when absent, an error when not an integer. */
export function getInteger(cards: readonly Card[], name: string): Result<bigint | undefined, string> {
  const v = getValue(cards, name);
  if (v === undefined) return ok(undefined);
  if (v.type !== 'integer') return err(`${name} is not an integer`);
  return ok(v.value);
}

export function indexOfValue(cards: readonly Card[], name: string): number {
  return cards.findIndex((c) => c.kind === 'value' && c.name === name);
}
