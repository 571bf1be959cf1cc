import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../../test/support/run-cli.js";
import { Decimal, dec } from "./decimal.js";
import { shortestRepr } from "./float-repr.js";

// Test data lives in src/ (not compiled); resolve it from dist/core/.
const casesPath = join(REPO_ROOT, "src", "core", "testdata", "decimal-cases.txt");

test("arithmetic matches the reference decimal context on 398 generated cases", () => {
  const lines = readFileSync(casesPath, "utf8")
    .split("\n")
    .filter((l) => l.length > 0 && !l.startsWith("#"));
  assert.ok(lines.length > 300);
  for (const line of lines) {
    const [a, b, sum, diff, prod, quot, q, neg, abs] = line.split("|") as string[];
    const A = dec(a as string);
    const B = dec(b as string);
    assert.equal(A.add(B).toString(), sum, `${a} + ${b}`);
    assert.equal(A.sub(B).toString(), diff, `${a} - ${b}`);
    assert.equal(A.mul(B).toString(), prod, `${a} * ${b}`);
    assert.equal(A.div(B).toString(), quot, `${a} / ${b}`);
    assert.equal(A.quantize(2, "ROUND_DOWN").toString(), q, `${a} quantize`);
    assert.equal(A.negate().toString(), neg);
    assert.equal(A.abs().toString(), abs);
  }
});

test("exponents are preserved as the reference prints them", () => {
  assert.equal(dec("50000.00").add(dec("50001.00")).div(dec("2")).toString(), "50000.50");
  assert.equal(dec("100").quantize(3, "ROUND_DOWN").toString(), "100.000");
  assert.equal(dec("1.0").mul(dec("50000.50")).toString(), "50000.500");
  assert.equal(dec("1E+1").toString(), "1E+1");
  assert.equal(dec("0.0000001").toString(), "1E-7");
  assert.equal(dec("1").div(dec("3")).toString(), "0.3333333333333333333333333333");
  assert.equal(dec("2").div(dec("3")).toString(), "0.6666666666666666666666666667");
  assert.equal(dec("10").div(dec("4")).toString(), "2.5");
  assert.equal(dec("100").div(dec("10")).toString(), "10");
});

test("zero signs follow the reference: x - x is 0, -0 * 1 is -0", () => {
  assert.equal(dec("1.5").sub(dec("1.5")).toString(), "0.0");
  assert.equal(dec("-0").mul(dec("1")).toString(), "-0");
  assert.equal(dec("0").negate().toString(), "0");
  assert.ok(dec("-0").eq(Decimal.ZERO));
});

test("rounding modes of quantize", () => {
  assert.equal(dec("2.345").quantize(2, "ROUND_HALF_EVEN").toString(), "2.34");
  assert.equal(dec("2.355").quantize(2, "ROUND_HALF_EVEN").toString(), "2.36");
  assert.equal(dec("-2.349").quantize(2, "ROUND_DOWN").toString(), "-2.34");
  assert.equal(dec("2.341").quantize(2, "ROUND_UP").toString(), "2.35");
  assert.equal(dec("2.5").quantize(0, "ROUND_HALF_UP").toString(), "3");
});

test("doubles: exact conversion and the shortest repr", () => {
  assert.equal(
    Decimal.fromDoubleExact(0.1).toString(),
    "0.1000000000000000055511151231257827021181583404541015625",
  );
  assert.equal(Decimal.fromDoubleShortest(1 + 10 / 10000).toString(), "1.001");
  assert.equal(shortestRepr(10), "10.0");
  assert.equal(shortestRepr(1e-5), "1e-05");
  assert.equal(shortestRepr(1.5e16), "1.5e+16");
  assert.equal(shortestRepr(123.456), "123.456");
  assert.equal(shortestRepr(0.0001), "0.0001");
  assert.equal(shortestRepr(-2.5), "-2.5");
  assert.equal(dec("1.0000000000000000000000000001").toNumber(), 1);
});

test("comparisons across exponents", () => {
  assert.ok(dec("1.00").eq(dec("1")));
  assert.ok(dec("-1").lt(dec("0.5")));
  assert.ok(dec("0.30").gt(dec("0.2999")));
  assert.equal(dec("5").cmp(dec("5.000")), 0);
  assert.ok(Object.is(dec("-0.003").cmp(dec("-0.003")), 0), "equal negatives compare as +0");
});

test("parse rejects malformed text", () => {
  for (const s of ["", "abc", "1.2.3", "--1", "1e", "."]) {
    assert.equal(Decimal.tryParse(s), undefined, s);
  }
  assert.throws(() => Decimal.parse("x"), /not a decimal number/);
});

test("divDownToExp is the exact quotient rounded down to the step, small and big", () => {
  const cases: [string, string, number, string][] = [
    ["150", "99.90", -3, "1.501"], // 1.5015015...
    ["200", "100", -3, "2.000"], // exact
    ["0.05", "99.9", -3, "0.000"],
    ["200", "0.30123", 0, "663"], // 663.945...
    ["1", "3", -30, "0.333333333333333333333333333333"], // past the small path
    ["123456789012345678", "7", -2, "17636684144620811.14"],
  ];
  for (const [a, b, exp, want] of cases) {
    assert.equal(dec(a).divDownToExp(dec(b), exp).toString(), want, `${a} / ${b} at 1E${exp}`);
  }
  // Against exact integer arithmetic over many values.
  for (let i = 1; i < 3000; i++) {
    const n = dec(String((i * 7919) % 100000)).mul(dec("0.01"));
    const p = dec(String(1 + ((i * 104729) % 99991))).mul(dec("0.001"));
    const exp = -(i % 6);
    const got = n.divDownToExp(p, exp);
    // floor(n / p / 10^exp) x 10^exp, by BigInt on the scaled coefficients
    const k = n.exp - p.exp - exp;
    const q = k >= 0 ? (n.coef * 10n ** BigInt(k)) / p.coef : n.coef / (p.coef * 10n ** BigInt(-k));
    assert.equal(got.coef, q, `${n} / ${p} at 1E${exp}`);
    assert.equal(got.exp, exp);
  }
});

test("toPlainString never uses exponent form and keeps the exponent's places", () => {
  const cases: [string, string][] = [
    ["1E+1", "10"],
    ["1E-7", "0.0000001"],
    ["0E-8", "0.00000000"],
    ["-0E-2", "0.00"],
    ["-1.5E-3", "-0.0015"],
    ["93421.50", "93421.50"],
    ["-12", "-12"],
    ["0", "0"],
    ["123456789012345678901234567.8", "123456789012345678901234567.8"],
  ];
  for (const [text, plain] of cases) assert.equal(dec(text).toPlainString(), plain, text);
  // Same value as the exponent form.
  assert.ok(Decimal.parse(dec("1.5E-9").toPlainString()).eq(dec("1.5E-9")));
});
