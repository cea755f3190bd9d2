/**
 * The one error the BERT converter throws for a model it cannot convert: it names the file and the
 * field (a JSON key path, a tensor name) so the user knows exactly what to look at.
 */
export class ModelConversionError extends Error {
  override readonly name = "ModelConversionError";

  constructor(
    /** Path of the offending file (as given: absolute when the source directory was). */
    readonly file: string,
    /** JSON key path, tensor name or "(file)" for the file as a whole. */
    readonly field: string,
    /** What is wrong, phrased to follow "file: field: ". */
    readonly reason: string,
  ) {
    super(`${file}: ${field}: ${reason}`);
  }
}
