/* eslint-disable */
// Generated from the JSON schema by `npm run gen:types`. Do not edit by hand.

export type Source = FitsKeywordsSource | FitsFileSource;
export type SourceName = string;
export type Keyword = ValueKeyword | EsoKeyword | LiteralKeyword;
export type KeywordValue = string | number | boolean;
/**
 * Printable ASCII, the only characters a FITS header may hold.
 */
export type Printable = string;
/**
 * `host:path` (remote) or a local path, relative to the merge root unless absolute.
 */
export type Location = string;
export type KeywordRule = FilterRule | TransformRule;
/**
 * <sign><classes> <name-glob>: sign + adds, - removes; classes v (value), e (ESO HIERARCH), c (commentary).
 */
export type SelectionPattern = string;

/**
 * Data Product Specification: how `dax merge` builds one FITS data product from its sources (see acquisitions.md).
 */
export interface DpSpec {
  /**
   * The acquisition id, e.g. TEST.2021-05-18T14:49:03.905.
   */
  id: string;
  /**
   * Keyword and file sources in priority order: the first is the highest.
   */
  sources: Source[];
  target: Target;
  receivers?: OlasReceiver[];
}
export interface FitsKeywordsSource {
  type: 'fitsKeywords';
  sourceName: SourceName;
  keywords: Keyword[];
}
export interface ValueKeyword {
  type: 'valueKeyword';
  /**
   * A standard FITS keyword name.
   */
  name: string;
  value: KeywordValue;
  comment?: Printable;
}
export interface EsoKeyword {
  type: 'esoKeyword';
  /**
   * The logical name after `HIERARCH ESO `, e.g. DET EXP ID.
   */
  name: string;
  value: KeywordValue;
  comment?: Printable;
}
export interface LiteralKeyword {
  type: 'literalKeyword';
  /**
   * A whole card's text.
   */
  value: string;
}
export interface FitsFileSource {
  type: 'fitsFile';
  sourceName: SourceName;
  location: Location;
  /**
   * A pipeline of rules over the source's primary-header keywords; absent = copy all, empty = copy none.
   */
  keywordRules?: KeywordRule[];
}
export interface FilterRule {
  type: 'filter';
  selectionPatterns: SelectionPattern[];
}
export interface TransformRule {
  type: 'transform';
  selectionPatterns: SelectionPattern[];
  /**
   * ECMAScript regular expression over the logical name.
   */
  regex: string;
  /**
   * Replacement; $1, $& etc. refer to the match.
   */
  format: string;
}
export interface Target {
  /**
   * Names the product `{fileId}.fits`: printable ASCII without spaces or slashes.
   */
  fileId: string;
  source?: TargetSource;
}
/**
 * A FITS file whose HDUs are the product's first HDUs; its primary header receives the merged keywords.
 */
export interface TargetSource {
  type: 'fitsFile';
  sourceName: SourceName;
  location: Location;
}
export interface OlasReceiver {
  type: 'olasReceiver';
  /**
   * Empty for this machine.
   */
  host: string;
  path: string;
}
