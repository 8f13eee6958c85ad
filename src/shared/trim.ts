/**
 * `text` without the run of `char` at its end. The regex spelling, /x+$/, takes quadratic time
 * on a long run of `char` followed by anything else: the engine retries the run from each of
 * its positions.
 */
export function trimTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return text.slice(0, end);
}
