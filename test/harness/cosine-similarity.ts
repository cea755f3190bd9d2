/** Cosine similarity of two vectors of the same length. */
export function cosineSimilarity(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let position = 0; position < left.length; position += 1) {
    const leftValue = left[position] ?? 0;
    const rightValue = right[position] ?? 0;
    dot += leftValue * rightValue;
    leftNorm += leftValue * leftValue;
    rightNorm += rightValue * rightValue;
  }
  return dot / Math.sqrt(leftNorm * rightNorm);
}
