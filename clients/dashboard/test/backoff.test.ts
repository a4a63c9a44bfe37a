import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_BACKOFF } from "../src/shared/backoff.js";

const mid = () => 0.5;

test("backoff grows exponentially and is capped", () => {
  const delays = [0, 1, 2, 3, 4, 5, 10, 100].map((a) => backoffDelay(a, DEFAULT_BACKOFF, mid));
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
});

test("jitter stays within its spread and never exceeds the cap", () => {
  for (const r of [0, 0.25, 0.999]) {
    const d = backoffDelay(2, DEFAULT_BACKOFF, () => r);
    assert.ok(d >= 2000 * 0.8 && d <= 2000 * 1.2, `delay ${d} for random ${r}`);
    assert.ok(backoffDelay(50, DEFAULT_BACKOFF, () => r) <= DEFAULT_BACKOFF.maxMs);
  }
});

test("negative attempts behave like the first", () => {
  assert.equal(backoffDelay(-3, DEFAULT_BACKOFF, mid), 500);
});
