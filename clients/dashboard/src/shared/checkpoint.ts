// The line the page shows about the ledger's signed checkpoints: which
// checkpoint witnesses have cosigned, by how many of those the ledger
// accepts, and how old it is; and the newest signed checkpoint when no
// witness has cosigned it yet. Pure (no DOM), so the unit tests read it.

export interface CheckpointFacts {
  treeSize: bigint;
  signedAtUs: bigint;
  cosignatures: number;
}

export interface CheckpointLine {
  /** "cosigned": some witness cosigned; "signed": none yet; "none": no checkpoints. */
  state: "cosigned" | "signed" | "none";
  text: string;
}

/** "4 s", "3 min", "2 h", "5 days". */
export function ageText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} days`;
}

function count(n: bigint): string {
  return n.toLocaleString("en-GB");
}

/**
 * `latest` the newest signed checkpoint, `cosigned` the newest cosigned one
 * (either may be missing), `witnesses` how many witnesses the ledger
 * accepts, `nowUs` the server's clock now (its answer's time plus the time
 * since).
 */
export function checkpointLine(
  latest: CheckpointFacts | undefined,
  cosigned: CheckpointFacts | undefined,
  witnesses: number,
  nowUs: bigint,
): CheckpointLine {
  if (!latest) return { state: "none", text: "no signed checkpoint yet" };
  const age = (c: CheckpointFacts) => ageText(Number(nowUs - c.signedAtUs) / 1e6);
  if (!cosigned || witnesses === 0) {
    const why = witnesses === 0 ? "no witnesses configured" : `cosigned by 0 of ${witnesses} witnesses`;
    return { state: "signed", text: `checkpoint ${count(latest.treeSize)}, ${why}, ${age(latest)} old` };
  }
  let text = `checkpoint ${count(cosigned.treeSize)}, cosigned by ${cosigned.cosignatures} of ${witnesses} witness${witnesses === 1 ? "" : "es"}, ${age(cosigned)} old`;
  if (latest.treeSize > cosigned.treeSize) {
    text += ` (newest signed: checkpoint ${count(latest.treeSize)}, ${age(latest)} old)`;
  }
  return { state: "cosigned", text };
}
