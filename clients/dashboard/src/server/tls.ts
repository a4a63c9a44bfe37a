// TLS to ledgerd: the files --ca, --client-cert and --client-key name, read
// once at start-up, and the HTTP/2 connect options made of them.

import { readFileSync } from "node:fs";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** What the proxy needs to call ledgerd over TLS (PEM text). */
export interface UpstreamTls {
  /** The CA ledgerd's certificate must chain to. */
  ca: string;
  /** The client certificate presented to a ledgerd with --tls_client_ca. */
  cert?: string;
  /** Its private key. */
  key?: string;
}

function readPem(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  if (!text.includes("-----BEGIN ")) throw new Error(`cannot read ${what} ${file}: it holds no PEM block`);
  return text;
}

/**
 * Reads the files; undefined without a CA (plaintext). Throws an Error that
 * names the file when one cannot be read. A client certificate needs its
 * key and a CA (parseArgs checks that first).
 */
export function readUpstreamTls(files: { ca: string; clientCert: string; clientKey: string }): UpstreamTls | undefined {
  if (!files.ca) return undefined;
  const tls: UpstreamTls = { ca: readPem(files.ca, "the CA file") };
  if (files.clientCert) {
    tls.cert = readPem(files.clientCert, "the client certificate file");
    tls.key = readPem(files.clientKey, "the client key file");
  }
  return tls;
}

/** ledgerd's base URL: https with TLS, else http (HTTP/2 cleartext). */
export function upstreamBaseUrl(ledger: string, tls: UpstreamTls | undefined): string {
  return `${tls ? "https" : "http"}://${ledger}`;
}

/** The http2.connect options for Http2SessionManager's third argument. */
export function http2ConnectOptions(tls: UpstreamTls | undefined) {
  if (!tls) return {};
  return { ca: tls.ca, ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}) };
}

// Node's error codes for a TLS handshake that failed: ledgerd's certificate
// not trusted or not for its address, or ledgerd refusing ours.
const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|ECONNRESET$)/;

function tlsFailure(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 8; cur = cur.cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && TLS_CODES.test(code)) return true;
  }
  return false;
}

/**
 * With TLS: a call whose connection failed its TLS handshake fails
 * UNAVAILABLE, as a refused connection does, not INTERNAL: ledgerd cannot be
 * reached. So does one whose stream ledgerd closed when the proxy did not
 * cancel it (CANCELED without the call's signal aborted): with TLS 1.3 a
 * ledgerd that wants a client certificate (--tls_client_ca) and got none, or
 * one of another CA, closes the connection after the handshake, and the call
 * sees only its stream reset.
 */
export const tlsFailuresUnavailable: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (e) {
    const closedByLedgerd = ConnectError.from(e).code === Code.Canceled && !req.signal.aborted;
    if (!tlsFailure(e) && !closedByLedgerd) throw e;
    const cause = e instanceof ConnectError ? (e.cause ?? e) : e;
    const message = cause instanceof Error ? cause.message : String(cause);
    const why = closedByLedgerd ? "ledgerd closed the connection (does it want a client certificate of another CA?)" : message;
    throw new ConnectError(`TLS to ledgerd failed: ${why}`, Code.Unavailable, undefined, undefined, e);
  }
};

/** The interceptors TLS adds to the upstream transport. */
export function tlsInterceptors(tls: UpstreamTls | undefined): Interceptor[] {
  return tls ? [tlsFailuresUnavailable] : [];
}
