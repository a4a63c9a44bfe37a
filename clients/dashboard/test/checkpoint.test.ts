import { test } from "node:test";
import assert from "node:assert/strict";
import { ageText, checkpointLine } from "../src/shared/checkpoint.js";

const S = 1_000_000n; // µs per second
const now = 1_000_000n * S;

test("a cosigned checkpoint: its size, K of M witnesses and its age", () => {
  const cp = { treeSize: 1234n, signedAtUs: now - 40n * S, cosignatures: 2 };
  assert.deepEqual(checkpointLine(cp, cp, 3, now), {
    state: "cosigned",
    text: "checkpoint 1,234, cosigned by 2 of 3 witnesses, 40 s old",
  });
});

test("a newer checkpoint not yet cosigned is named too", () => {
  const cosigned = { treeSize: 1200n, signedAtUs: now - 300n * S, cosignatures: 1 };
  const latest = { treeSize: 1250n, signedAtUs: now - 3n * S, cosignatures: 0 };
  assert.equal(
    checkpointLine(latest, cosigned, 1, now).text,
    "checkpoint 1,200, cosigned by 1 of 1 witness, 5 min old (newest signed: checkpoint 1,250, 3 s old)",
  );
});

test("no cosignature yet, no witnesses, no checkpoint", () => {
  const latest = { treeSize: 7n, signedAtUs: now - 2n * S, cosignatures: 0 };
  assert.deepEqual(checkpointLine(latest, undefined, 2, now), {
    state: "signed",
    text: "checkpoint 7, cosigned by 0 of 2 witnesses, 2 s old",
  });
  assert.equal(checkpointLine(latest, undefined, 0, now).text, "checkpoint 7, no witnesses configured, 2 s old");
  assert.deepEqual(checkpointLine(undefined, undefined, 2, now), { state: "none", text: "no signed checkpoint yet" });
});

test("ages", () => {
  assert.deepEqual([0, 119, 120, 7199, 7200, 172800, -5].map(ageText), ["0 s", "119 s", "2 min", "119 min", "2 h", "2 days", "0 s"]);
});
