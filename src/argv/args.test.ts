import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError } from "../core/errors.js";
import { FlagErrors, parseCommandArgs, parseFlags, stringsFlag } from "./args.js";

const OPTIONS = {
  name: { type: "string" },
  tag: { type: "string", multiple: true },
  quiet: { type: "boolean", short: "q" },
} as const;

describe("the one argv parser", () => {
  it("reads both spellings, short switches and repeatable flags", () => {
    const a = parseFlags(["--name", "x", "-q", "--tag=a", "--tag", "-b"], OPTIONS);
    assert.deepEqual(a.values, { name: "x", quiet: true, tag: ["a", "-b"] });
    assert.deepEqual(stringsFlag(a, "tag"), ["a", "-b"]);
    assert.deepEqual(parseFlags(["p1", "--quiet", "p2"], OPTIONS, true).positionals, ["p1", "p2"]);
  });

  it("reports every problem at once, each naming its flag", () => {
    assert.throws(
      () => parseFlags(["--nme", "x", "--quiet=yes", "--name", "a", "--name=b", "stray"], OPTIONS),
      {
        message:
          "unknown option --nme (options: --name, --tag, --quiet); --quiet takes no value; " +
          '--name: given twice; unexpected argument "stray"',
      },
    );
  });

  it("never takes a following --flag as a value", () => {
    assert.throws(() => parseFlags(["--name", "--quiet", "--name"], OPTIONS), {
      message: "--name: missing value",
    });
    assert.throws(() => parseFlags(["--name", "--quiet"], OPTIONS), {
      message: "--name: missing value",
    });
    // The flag after the missing value is still parsed.
    assert.throws(
      () => parseFlags(["--name", "--bogus"], OPTIONS),
      /missing value; unknown option --bogus/,
    );
  });

  it("prefixes the command for grinder commands", () => {
    assert.throws(() => parseCommandArgs("replay", ["--x"], OPTIONS), {
      message: "grinder replay: unknown option --x (options: --name, --tag, --quiet)",
    });
  });

  it("collects value errors until check(); other exceptions pass through", () => {
    const errors = new FlagErrors();
    const bad = (m: string) => (): number => {
      throw new InvalidInputError(m);
    };
    assert.equal(errors.value(7, bad("--a: bad")), 7);
    assert.equal(
      errors.value(7, () => 3),
      3,
    );
    errors.add("--b: worse");
    assert.throws(() => errors.check(), { message: "--a: bad; --b: worse" });
    assert.throws(() => errors.value(0, () => JSON.parse("{")), SyntaxError);
    assert.doesNotThrow(() => new FlagErrors().check());
  });
});
