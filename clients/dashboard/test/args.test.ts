import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs, splitHostPort } from "../src/server/args.js";

test("splitHostPort", () => {
  assert.deepEqual(splitHostPort("127.0.0.1:8080", "--listen"), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(splitHostPort("localhost:0", "--listen"), { host: "localhost", port: 0 });
  assert.deepEqual(splitHostPort("[::1]:50051", "--ledger"), { host: "::1", port: 50051 });
  assert.deepEqual(splitHostPort(":8080", "--listen"), { host: "127.0.0.1", port: 8080 });
  assert.throws(() => splitHostPort("127.0.0.1", "--listen"), /HOST:PORT/);
  assert.throws(() => splitHostPort("h:99999", "--listen"), /out of range/);
});

test("parseArgs: flags, = form, defaults and env", () => {
  assert.deepEqual(parseArgs([], {}), {
    ledger: "127.0.0.1:50051",
    listen: "127.0.0.1:8080",
    maxStreams: 256,
    maxStreamsPerClient: 8,
    maxBodyBytes: 65536,
    trustProxy: false,
    tokenFile: "",
    ca: "",
    clientCert: "",
    clientKey: "",
    help: false,
  });
  assert.equal(parseArgs(["--token-file", "/t"], {}).tokenFile, "/t");
  assert.equal(parseArgs([], { LEDGER_DASHBOARD_TOKEN_FILE: "/e" }).tokenFile, "/e");
  const o = parseArgs(["--ledger", "10.0.0.1:1", "--listen=127.0.0.1:0"], {});
  assert.equal(o.ledger, "10.0.0.1:1");
  assert.equal(o.listen, "127.0.0.1:0");
  assert.equal(parseArgs([], { LEDGER_SERVER: "h:5" }).ledger, "h:5");
  assert.equal(parseArgs(["--help"], {}).help, true);
  assert.throws(() => parseArgs(["--bogus"], {}), /unknown argument/);
  assert.throws(() => parseArgs(["--ledger"], {}), /needs a value/);
  assert.throws(() => parseArgs(["--max-streams", "0"], {}), /positive/);
});

test("parseArgs: the per-client stream cap, the body cap and --trust-proxy", () => {
  const o = parseArgs(["--max-streams-per-client", "2", "--max-body-bytes=1024", "--trust-proxy"], {});
  assert.equal(o.maxStreamsPerClient, 2);
  assert.equal(o.maxBodyBytes, 1024);
  assert.equal(o.trustProxy, true);
  assert.throws(() => parseArgs(["--max-body-bytes", "0"], {}), /positive/);
  assert.throws(() => parseArgs(["--max-body-bytes", "64k"], {}), /positive/);
  assert.throws(() => parseArgs(["--max-streams-per-client", "-1"], {}), /positive/);
  assert.throws(() => parseArgs(["--trust-proxy=yes"], {}), /no value/);
});

test("parseArgs: --ca, --client-cert and --client-key, and their env", () => {
  const o = parseArgs(["--ca", "/ca.pem", "--client-cert=/c.pem", "--client-key", "/c.key"], {});
  assert.equal(o.ca, "/ca.pem");
  assert.equal(o.clientCert, "/c.pem");
  assert.equal(o.clientKey, "/c.key");
  const e = parseArgs([], { LEDGER_CA: "/eca", LEDGER_CLIENT_CERT: "/ec", LEDGER_CLIENT_KEY: "/ek" });
  assert.deepEqual([e.ca, e.clientCert, e.clientKey], ["/eca", "/ec", "/ek"]);
  assert.equal(parseArgs(["--ca", "/f"], { LEDGER_CA: "/e" }).ca, "/f", "the flag wins");
  assert.equal(parseArgs(["--ca", "/ca.pem"], {}).clientCert, "", "a CA alone: TLS without a client certificate");
  assert.throws(() => parseArgs(["--ca", "/ca.pem", "--client-cert", "/c.pem"], {}), /--client-cert needs --client-key/);
  assert.throws(() => parseArgs(["--ca", "/ca.pem", "--client-key", "/c.key"], {}), /--client-key needs --client-cert/);
  assert.throws(
    () => parseArgs([], { LEDGER_CA: "/ca.pem", LEDGER_CLIENT_KEY: "/c.key" }),
    /--client-key needs --client-cert/,
  );
  assert.throws(() => parseArgs(["--client-cert", "/c.pem", "--client-key", "/c.key"], {}), /need --ca/);
  assert.throws(() => parseArgs(["--ca"], {}), /needs a value/);
});
