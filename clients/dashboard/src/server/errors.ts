// What a browser learns of a failed call. ledgerd itself masks what the
// caller (the public, or the proxy's viewer token) may not see, in answers
// and in errors alike (docs/SECURITY.md, "Identities"); the proxy adds only
// this: an error keeps its code, its message and its ErrorDetail details,
// nothing else of ledgerd's (no headers, no trailers, no other details),
// and a failure with no ledger reason (a connection refused, a reset, a
// fault of the proxy itself) reaches the browser as a plain sentence, the
// text kept for the operator's log, since it may name hosts and ports.

import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorDetailSchema } from "../../gen/solidarity/ledger/v1/ledger_pb.js";

/** Errors the proxy made itself, passed to the browser as they are. */
const ownErrors = new WeakSet<ConnectError>();

/** An error of the proxy's own, with a message fit for a browser. */
export function proxyError(message: string, code: Code): ConnectError {
  const err = new ConnectError(message, code);
  ownErrors.add(err);
  return err;
}

function codeName(code: Code): string {
  return (Code[code] ?? String(code)).replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** `err` as a browser may see it; `log` gets the text of what it may not. */
export function browserError(err: unknown, log: (line: string) => void): ConnectError {
  if (err instanceof ConnectError && ownErrors.has(err)) return err;
  const ce = ConnectError.from(err);
  const details = ce.findDetails(ErrorDetailSchema);
  if (details.length === 0) {
    log(`dashboard: ${Code[ce.code] ?? ce.code}: ${ce.rawMessage}`);
    const plain =
      ce.code === Code.Unavailable
        ? "the ledger server is unreachable"
        : `the ledger server could not answer (${codeName(ce.code)})`;
    return new ConnectError(plain, ce.code);
  }
  return new ConnectError(
    ce.rawMessage,
    ce.code,
    undefined,
    details.map((value) => ({ desc: ErrorDetailSchema, value })),
  );
}
