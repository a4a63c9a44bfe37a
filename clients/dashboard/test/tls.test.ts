import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { http2ConnectOptions, readUpstreamTls, tlsFailuresUnavailable, upstreamBaseUrl } from "../src/server/tls.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

test("readUpstreamTls: no CA is plaintext; files are read and named when they cannot be", () => {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-tls-"));
  try {
    const ca = join(dir, "ca.pem");
    const cert = join(dir, "c.pem");
    const key = join(dir, "c.key");
    const junk = join(dir, "junk.pem");
    writeFileSync(ca, PEM);
    writeFileSync(cert, PEM);
    writeFileSync(key, "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n");
    writeFileSync(junk, "not a certificate");
    assert.equal(readUpstreamTls({ ca: "", clientCert: "", clientKey: "" }), undefined);
    assert.deepEqual(readUpstreamTls({ ca, clientCert: "", clientKey: "" }), { ca: PEM });
    const both = readUpstreamTls({ ca, clientCert: cert, clientKey: key });
    assert.equal(both?.cert, PEM);
    assert.match(both?.key ?? "", /PRIVATE KEY/);
    const missing = join(dir, "none.pem");
    assert.throws(
      () => readUpstreamTls({ ca: missing, clientCert: "", clientKey: "" }),
      (e: Error) => e.message.startsWith(`cannot read the CA file ${missing}`) && /ENOENT/.test(e.message),
    );
    assert.throws(() => readUpstreamTls({ ca: junk, clientCert: "", clientKey: "" }), /the CA file .* no PEM block/);
    assert.throws(() => readUpstreamTls({ ca, clientCert: missing, clientKey: key }), /cannot read the client certificate file/);
    assert.throws(() => readUpstreamTls({ ca, clientCert: cert, clientKey: missing }), /cannot read the client key file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("upstreamBaseUrl and http2ConnectOptions", () => {
  assert.equal(upstreamBaseUrl("127.0.0.1:1", undefined), "http://127.0.0.1:1");
  assert.equal(upstreamBaseUrl("127.0.0.1:1", { ca: PEM }), "https://127.0.0.1:1");
  assert.deepEqual(http2ConnectOptions(undefined), {});
  assert.deepEqual(http2ConnectOptions({ ca: PEM }), { ca: PEM });
  assert.deepEqual(http2ConnectOptions({ ca: PEM, cert: "c", key: "k" }), { ca: PEM, cert: "c", key: "k" });
});

/** A request as the interceptor sees it: only its signal is read. */
function request(signal = new AbortController().signal): never {
  return { signal } as never;
}

test("tlsFailuresUnavailable: a failed handshake is UNAVAILABLE, other errors pass", async () => {
  const call = tlsFailuresUnavailable(async () => {
    const cause = Object.assign(new Error("unable to verify the first certificate"), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
    throw new ConnectError("unable to verify the first certificate", Code.Internal, undefined, undefined, cause);
  });
  await assert.rejects(
    call(request()),
    (e: unknown) => ConnectError.from(e).code === Code.Unavailable && /TLS to ledgerd failed/.test(String(e)),
  );
  const other = tlsFailuresUnavailable(async () => {
    throw new ConnectError("no such beneficiary", Code.NotFound);
  });
  await assert.rejects(other(request()), (e: unknown) => ConnectError.from(e).code === Code.NotFound);
});

test("tlsFailuresUnavailable: a stream ledgerd reset is UNAVAILABLE, one the proxy cancelled stays CANCELED", async () => {
  const reset = tlsFailuresUnavailable(async () => {
    throw new ConnectError("http/2 stream closed with error code CANCEL (0x8)", Code.Canceled);
  });
  await assert.rejects(reset(request()), (e: unknown) => ConnectError.from(e).code === Code.Unavailable);
  const cancelled = new AbortController();
  cancelled.abort();
  await assert.rejects(reset(request(cancelled.signal)), (e: unknown) => ConnectError.from(e).code === Code.Canceled);
});
