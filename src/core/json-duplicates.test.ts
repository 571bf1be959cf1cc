import assert from "node:assert/strict";
import { test } from "node:test";
import { duplicateKeys } from "./json-duplicates.js";

test("duplicate keys with their line and path; arrays, strings with quotes and escapes", () => {
  const text = [
    "{",
    '  "a": 1,',
    '  "b": {"x": "q\\"uo,te", "x": 2},',
    '  "c": [{"k": 1}, {"k": 2}],',
    '  "a": 3',
    "}",
  ].join("\n");
  assert.deepEqual(duplicateKeys(text), [
    { line: 3, path: "b.x" },
    { line: 5, path: "a" },
  ]);
  assert.deepEqual(duplicateKeys('{"a": {"a": 1}, "b": "a"}'), []);
});
