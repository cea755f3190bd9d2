/**
 * The special tokens of a WordPiece tokenizer as gguf-py's SpecialVocab reads them: ids from
 * tokenizer_config.json's *_token strings (bos falls back to cls, eos to sep; looked up among
 * tokenizer.json's added tokens), add_bos/add_eos/add_sep from the post-processor template, and
 * the BertNormalizer's lowercase / strip_accents flags. Without tokenizer_config.json, the
 * template's first and last special tokens stand for [CLS] and [SEP].
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { parseWithSchema, readJsonFileWithSchema } from "./json-file.ts";
import { ModelConversionError } from "./model-conversion-error.ts";
import { isRecord, type WordPieceTokenizerFile } from "./tokenizer-json.ts";

export interface SpecialTokenIds {
  /** The [CLS] token: llama.cpp's WPM tokenizer starts every input with bos. */
  readonly beginning: number;
  readonly end: number;
  readonly unknown: number;
  /** The [SEP] token: llama.cpp's WPM tokenizer ends every input with it. */
  readonly separator: number;
  readonly padding: number | undefined;
  readonly mask: number | undefined;
}

export interface SpecialTokens {
  readonly ids: SpecialTokenIds;
  /** From the post-processor template; undefined when it says nothing (llama.cpp's defaults apply). */
  readonly addBeginning: boolean | undefined;
  readonly addEnd: boolean | undefined;
  readonly addSeparator: boolean | undefined;
  readonly normalizerLowercase: boolean | undefined;
  /** undefined when tokenizer.json says null: llama.cpp then strips accents iff it lowercases, as BERT does. */
  readonly normalizerStripAccents: boolean | undefined;
}

const tokenStringSchema = z.union([z.string(), z.looseObject({ content: z.string() }), z.null()]).optional();
const tokenizerConfigSchema = z.looseObject({
  bos_token: tokenStringSchema,
  eos_token: tokenStringSchema,
  unk_token: tokenStringSchema,
  sep_token: tokenStringSchema,
  pad_token: tokenStringSchema,
  cls_token: tokenStringSchema,
  mask_token: tokenStringSchema,
});
type TokenizerConfig = z.infer<typeof tokenizerConfigSchema>;

const templatePieceSchema = z.looseObject({
  SpecialToken: z.looseObject({ id: z.string() }).optional(),
  Sequence: z.looseObject({ id: z.string() }).optional(),
});
const templateProcessingSchema = z.looseObject({
  type: z.literal("TemplateProcessing"),
  single: z.array(templatePieceSchema).default([]),
  pair: z.array(templatePieceSchema).default([]),
});
type TemplatePiece = z.infer<typeof templatePieceSchema>;
type Template = z.infer<typeof templateProcessingSchema>;

interface SpecialTokenContents {
  readonly beginning: string | undefined;
  readonly end: string | undefined;
  readonly separator: string | undefined;
  readonly classifier: string | undefined;
}

export async function readSpecialTokens(
  sourceDirectory: string,
  tokenizer: WordPieceTokenizerFile,
  configPaddingTokenId: number | undefined,
): Promise<SpecialTokens> {
  const config = await readTokenizerConfig(sourceDirectory);
  const template = findTemplate(tokenizer.json.post_processor, tokenizer.path);
  const contents = specialTokenContents(config, template);
  const addFlags = template === undefined ? {} : templateAddFlags(template, contents);
  const normalizer = normalizerFlags(tokenizer.json.normalizer);
  return {
    ids: resolveIds(tokenizer, config, contents, configPaddingTokenId),
    addBeginning: addFlags.beginning,
    addEnd: addFlags.end,
    addSeparator: addFlags.separator,
    normalizerLowercase: normalizer.lowercase,
    normalizerStripAccents: normalizer.stripAccents,
  };
}

async function readTokenizerConfig(sourceDirectory: string): Promise<TokenizerConfig | undefined> {
  const path = join(sourceDirectory, "tokenizer_config.json");
  const exists = await access(path).then(() => true, () => false);
  return exists ? readJsonFileWithSchema(tokenizerConfigSchema, path) : undefined;
}

function tokenContent(value: z.infer<typeof tokenStringSchema>): string | undefined {
  if (typeof value === "string") return value;
  return value?.content;
}

/** The TemplateProcessing post-processor, alone or inside a Sequence of processors. */
function findTemplate(postProcessor: unknown, path: string): Template | undefined {
  const candidates = isRecord(postProcessor) && Array.isArray(postProcessor["processors"]) ? postProcessor["processors"] : [postProcessor];
  for (const candidate of candidates) {
    if (isRecord(candidate) && candidate["type"] === "TemplateProcessing") {
      return parseWithSchema(templateProcessingSchema, candidate, path);
    }
  }
  return undefined;
}

function specialTokenContents(config: TokenizerConfig | undefined, template: Template | undefined): SpecialTokenContents {
  const classifier = tokenContent(config?.cls_token) ?? (config === undefined ? specialTokenAt(template?.single, 0) : undefined);
  const separator = tokenContent(config?.sep_token) ?? (config === undefined ? specialTokenAt(template?.single, -1) : undefined);
  return {
    beginning: tokenContent(config?.bos_token) ?? classifier,
    end: tokenContent(config?.eos_token) ?? separator,
    separator,
    classifier,
  };
}

function resolveIds(
  tokenizer: WordPieceTokenizerFile,
  config: TokenizerConfig | undefined,
  contents: SpecialTokenContents,
  configPaddingTokenId: number | undefined,
): SpecialTokenIds {
  const { json } = tokenizer;
  const idOf = (content: string | undefined): number | undefined => {
    if (content === undefined) return undefined;
    return json.added_tokens.find((added) => added.content === content)?.id ?? json.model.vocab[content];
  };
  const required = (role: string, content: string | undefined): number => {
    const id = idOf(content);
    if (id === undefined) {
      throw new ModelConversionError(tokenizer.path, "added_tokens", `no ${role} token${content === undefined ? "" : ` ${JSON.stringify(content)}`}; llama.cpp's WPM tokenizer needs it`);
    }
    return id;
  };
  return {
    beginning: required("[CLS] (bos/cls)", contents.beginning),
    end: required("eos/sep", contents.end),
    unknown: required("unknown", tokenContent(config?.unk_token) ?? json.model.unk_token),
    separator: required("[SEP] (sep)", contents.separator),
    padding: idOf(tokenContent(config?.pad_token)) ?? configPaddingTokenId,
    mask: idOf(tokenContent(config?.mask_token)),
  };
}

function specialTokenAt(pieces: readonly TemplatePiece[] | undefined, index: number): string | undefined {
  return pieces === undefined || pieces.length < 2 ? undefined : pieces.at(index)?.SpecialToken?.id;
}

/**
 * SpecialVocab's reading of a simple TemplateProcessing: `[CLS] $A [SEP]` adds bos and eos;
 * a separator between $A and $B of the pair template (other than the closing token) adds sep.
 */
function templateAddFlags(template: Template, contents: SpecialTokenContents): { beginning?: boolean; end?: boolean; separator?: boolean } {
  const first = specialTokenAt(template.single, 0);
  const last = specialTokenAt(template.single, -1);
  const flags: { beginning?: boolean; end?: boolean; separator?: boolean } = {};
  if (first !== undefined) flags.beginning = first === contents.beginning || first === contents.classifier;
  if (last !== undefined) flags.end = last === contents.end;
  let pair = template.pair;
  if (pair.length > 0) {
    if (first !== undefined && pair[0]?.SpecialToken?.id === first) pair = pair.slice(1);
    if (last !== undefined && pair.at(-1)?.SpecialToken?.id === last) pair = pair.slice(0, -1);
    if (pair[0]?.Sequence?.id === "A" && pair.at(-1)?.Sequence?.id === "B") {
      const middle = pair.slice(1, -1).map((piece) => piece.SpecialToken?.id);
      const isSeparator = (id: string | undefined): boolean => id !== undefined && (id === contents.separator || id === contents.end);
      flags.separator = (middle.length === 1 && isSeparator(middle[0]) && last === undefined) || (middle.length === 2 && middle.every(isSeparator));
    }
  }
  return flags;
}

/** SpecialVocab._parse_normalizer. */
function normalizerFlags(normalizer: unknown): { lowercase?: boolean; stripAccents?: boolean } {
  const flags: { lowercase?: boolean; stripAccents?: boolean } = {};
  const visit = (node: unknown): void => {
    if (!isRecord(node)) return;
    const type = node["type"];
    if (type === "Lowercase") flags.lowercase = true;
    else if (type === "StripAccents") flags.stripAccents = true;
    else if (type === "BertNormalizer") {
      const { lowercase, strip_accents: stripAccents } = node;
      if (typeof lowercase === "boolean") flags.lowercase = lowercase;
      if (typeof stripAccents === "boolean") flags.stripAccents = stripAccents;
    } else if (type === "Sequence" && Array.isArray(node["normalizers"])) {
      for (const child of node["normalizers"]) visit(child);
    }
  };
  visit(normalizer);
  return flags;
}
