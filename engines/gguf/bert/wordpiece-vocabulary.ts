/**
 * tokenizer.json's WordPiece vocabulary turned into llama.cpp's `bert` vocabulary, as
 * convert_hf_to_gguf.py's BertModel.set_vocab does it:
 * - "phantom space" tokens: a word-initial piece gets a U+2581 prefix, a `##` continuation loses
 *   its `##`, control tokens stay as they are (llama.cpp's WPM tokenizer prefixes every word with
 *   U+2581 and matches pieces greedily);
 * - token types: added special tokens CONTROL, other added tokens USER_DEFINED, ids the vocabulary
 *   skips "[PADn]" UNUSED, everything else NORMAL.
 */
import { ModelConversionError } from "./model-conversion-error.ts";
import { CONTINUATION_PREFIX, readWordPieceTokenizerJson, type AddedToken, type WordPieceTokenizerFile } from "./tokenizer-json.ts";
import { readSpecialTokens, type SpecialTokens } from "./tokenizer-special-tokens.ts";

export type { SpecialTokenIds } from "./tokenizer-special-tokens.ts";

/** llama.cpp's `llama_token_type` (gguf-py TokenType). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** The word-boundary marker llama.cpp's WPM tokenizer puts before every word. */
const PHANTOM_SPACE = "\u2581";

export interface WordPieceVocabulary {
  /** Phantom-space form, indexed by token id; length = config.json's vocab_size. */
  readonly tokens: readonly string[];
  readonly tokenTypes: readonly number[];
  readonly special: SpecialTokens;
}

export async function readWordPieceVocabulary(
  sourceDirectory: string,
  vocabularySize: number,
  configPaddingTokenId: number | undefined,
): Promise<WordPieceVocabulary> {
  const tokenizer = await readWordPieceTokenizerJson(sourceDirectory);
  const { tokens, tokenTypes } = buildTokens(tokenizer, vocabularySize);
  const special = await readSpecialTokens(sourceDirectory, tokenizer, configPaddingTokenId);
  return { tokens, tokenTypes, special };
}

function buildTokens({ path, json }: WordPieceTokenizerFile, vocabularySize: number): { tokens: string[]; tokenTypes: number[] } {
  const byId = new Map<number, string>();
  for (const [token, id] of Object.entries(json.model.vocab)) byId.set(id, token);
  const addedById = new Map<number, AddedToken>();
  for (const added of json.added_tokens) {
    byId.set(added.id, added.content);
    addedById.set(added.id, added);
  }
  for (const [id, token] of byId) {
    if (id >= vocabularySize) {
      throw new ModelConversionError(path, "model.vocab", `token id ${id} (${JSON.stringify(token)}) is not below config.json's vocab_size ${vocabularySize}`);
    }
  }
  const tokens: string[] = [];
  const tokenTypes: number[] = [];
  for (let id = 0; id < vocabularySize; id += 1) {
    const text = byId.get(id);
    const added = addedById.get(id);
    let token: string;
    let type: number;
    if (text === undefined) {
      [token, type] = [`[PAD${id}]`, TokenType.unused];
    } else if (added === undefined) {
      [token, type] = [text, TokenType.normal];
    } else if (added.special === true || looksSpecial(text)) {
      [token, type] = [text, TokenType.control];
    } else {
      // llama.cpp expects user-defined tokens pre-normalised: spaces, not U+2581.
      [token, type] = [text.replaceAll(PHANTOM_SPACE, " "), TokenType.userDefined];
    }
    tokens.push(toPhantomSpaceForm(token, type));
    tokenTypes.push(type);
  }
  return { tokens, tokenTypes };
}

/** convert_hf_to_gguf.py BertModel.set_vocab's `phantom`. */
export function toPhantomSpaceForm(token: string, type: number): string {
  if (type === TokenType.control) return token;
  if (token.startsWith(CONTINUATION_PREFIX)) return token.slice(CONTINUATION_PREFIX.length);
  return PHANTOM_SPACE + token;
}

/** convert_hf_to_gguf.py's does_token_look_special: added tokens some models forget to mark special. */
function looksSpecial(token: string): boolean {
  return (
    ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].includes(token) ||
    (token.startsWith("<|") && token.endsWith("|>")) ||
    (token.startsWith("<｜") && token.endsWith("｜>")) ||
    (token.startsWith("<unused") && token.endsWith(">"))
  );
}
