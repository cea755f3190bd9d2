/** A metadata key: 1 to 64 letters, digits, `_`, `-` or `.`. */
const metadataKeyPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Keys that name a property every JavaScript object inherits (`__proto__`, `constructor`,
 * `toString`...) and `prototype`. Assigned to a plain object, `__proto__` changes its prototype
 * instead of adding an entry, so the entry silently vanished; the others shadow inherited members
 * that code may call. Refused rather than stored under another name.
 */
const reservedMetadataKeys: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

/** Why `key` cannot be a metadata key (a message for the caller), or undefined when it can. */
export function metadataKeyProblem(key: string): string | undefined {
  if (!metadataKeyPattern.test(key)) return "A metadata key has 1 to 64 letters, digits, `_`, `-` or `.`.";
  if (reservedMetadataKeys.has(key)) {
    return `The metadata key "${key}" is reserved (it names a built-in property of JavaScript objects, such as __proto__, constructor or prototype); choose another key.`;
  }
  return undefined;
}
