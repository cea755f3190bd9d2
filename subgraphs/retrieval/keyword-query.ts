/**
 * The words of a keyword query that carry meaning. BM25 gives every matched word some weight, and
 * the stores' own stop lists are short (LanceDB's tokenizer drops Lucene's 33 words, Milvus's
 * standard analyzer none), so "how", "do", "my" or "which" matched documents about anything and
 * outranked the right one in fusion. Dropping English function words before the query reaches the
 * store is the same for every store, and needs no re-indexing.
 */

/**
 * English function words: articles, pronouns, auxiliaries, prepositions, conjunctions, question
 * words and common adverbs (NLTK's English list, with contractions split at the apostrophe).
 */
const stopWords: ReadonlySet<string> = new Set(
  (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself " +
    "they them their theirs themselves what which who whom whose this that these those am is are was were be been being have has had " +
    "having do does did doing a an the and but if or because as until while of at by for with about against between into through " +
    "during before after above below to from up down in out on off over under again further then once here there when where why how " +
    "all any both each few more most other some such no nor not only own same so than too very s t can will just don should now d ll " +
    "m o re ve y ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn would could " +
    "shall may might must also get got tell please"
  ).split(" "),
);

/** Letters and digits runs (any script), as the stores' simple tokenizers split them. */
const wordPattern = /[\p{L}\p{N}]+/gu;

/**
 * `query` without its stop words, lowercased, words separated by single spaces; "" when only stop
 * words (or no words) remain, in which case the keyword search finds nothing.
 */
export function meaningfulKeywords(query: string): string {
  const words = query.toLowerCase().match(wordPattern) ?? [];
  return words.filter((word) => !stopWords.has(word)).join(" ");
}
