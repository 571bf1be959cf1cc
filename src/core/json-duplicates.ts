/**
 * Duplicate keys of a JSON text. JSON.parse keeps the last of two equal keys
 * silently; a configuration file with one is ambiguous, so readers of such
 * files report every duplicate with its line. The text must be valid JSON
 * (parse it first): this scanner only tracks strings, objects and arrays.
 */

export interface DuplicateKey {
  /** 1-based line of the repeated key. */
  readonly line: number;
  /** Dotted path of the key ("a.b"). */
  readonly path: string;
}

interface Frame {
  readonly keys: Set<string> | undefined;
  readonly path: string;
  /** The key whose value is being read (objects). */
  key: string | undefined;
  expectKey: boolean;
}

/** Every repeated key of an object in `text` (valid JSON), in text order. */
export function duplicateKeys(text: string): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let line = 1;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (top === undefined) return "";
    const name = top.keys === undefined ? "[]" : (top.key ?? "");
    return top.path === "" ? name : `${top.path}.${name}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
    } else if (c === 34) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.keys !== undefined && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key))
          out.push({ line, path: top.path === "" ? key : `${top.path}.${key}` });
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      stack.push({
        keys: c === 123 ? new Set() : undefined,
        path: childPath(),
        key: undefined,
        expectKey: c === 123,
      });
    } else if (c === 125 || c === 93) {
      stack.pop();
    } else if (c === 44) {
      const top = stack[stack.length - 1];
      if (top?.keys !== undefined) top.expectKey = true;
    }
  }
  return out;
}

/** "file:line: duplicate key "a.b"" lines of `text`, for an error message. */
export function duplicateKeyProblems(text: string, file: string): string[] {
  return duplicateKeys(text).map(
    (d) =>
      `${file}:${d.line}: duplicate key "${d.path}" (expected each key once; JSON keeps the last silently)`,
  );
}
