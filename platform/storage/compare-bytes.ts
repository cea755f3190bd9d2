/**
 * Byte order of the UTF-8 encodings: the same in every locale, and the order Redis uses for equal
 * sorted-set scores, so embedded and Redis stores list records alike.
 */
export function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left), Buffer.from(right));
}
