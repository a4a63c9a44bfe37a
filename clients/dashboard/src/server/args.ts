// Command-line parsing of the dashboard server.

export const USAGE = `usage: node server.js [--ledger HOST:PORT] [--listen HOST:PORT] [--max-streams N]
                      [--max-streams-per-client N] [--max-body-bytes N] [--trust-proxy]
                      [--token-file FILE] [--ca FILE [--client-cert FILE --client-key FILE]]

Serves the Solidarity Ledger dashboard and forwards its gRPC-Web calls to ledgerd.

  --ledger HOST:PORT   ledgerd's gRPC address (default: $LEDGER_SERVER, else 127.0.0.1:50051)
  --listen HOST:PORT   where to serve the page (default 127.0.0.1:8080; port 0 = any free port)
  --max-streams N      most live pages at once (default 256)
  --max-streams-per-client N
                       most live pages at once from one client address (default 8)
  --max-body-bytes N   largest request body read; a larger one is answered 413
                       and its connection closed (default 65536)
  --trust-proxy        take the client address from the last X-Forwarded-For
                       entry (only behind a reverse proxy that sets it; default:
                       the connection's address, the header is ignored)
  --token-file FILE    call ledgerd with this member's token (a viewer's, for a
                       committee page; mode 0600) (default: $LEDGER_DASHBOARD_TOKEN_FILE,
                       else none: the public's view)
  --ca FILE            call ledgerd over TLS (https), trusting this CA certificate
                       (PEM) (default: $LEDGER_CA, else none: HTTP/2 cleartext,
                       for a ledgerd on loopback)
  --client-cert FILE   with --ca: present this client certificate (PEM), for a
                       ledgerd started with --tls_client_ca (default: $LEDGER_CLIENT_CERT)
  --client-key FILE    the client certificate's private key (PEM) (default:
                       $LEDGER_CLIENT_KEY); --client-cert and --client-key go together
`;

export function splitHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  if (!m) throw new Error(`${flag}: expected HOST:PORT, got "${value}"`);
  const host = m[1] ?? m[2] ?? "";
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`${flag}: port out of range in "${value}"`);
  return { host: host === "" ? "127.0.0.1" : host, port };
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(`${flag} must be a positive integer`);
  }
  return n;
}

export function parseArgs(argv: string[], env: Record<string, string | undefined> = process.env) {
  const opts = {
    ledger: env.LEDGER_SERVER || "127.0.0.1:50051",
    listen: "127.0.0.1:8080",
    maxStreams: 256,
    maxStreamsPerClient: 8,
    maxBodyBytes: 65_536,
    trustProxy: false,
    tokenFile: env.LEDGER_DASHBOARD_TOKEN_FILE || "",
    ca: env.LEDGER_CA || "",
    clientCert: env.LEDGER_CLIENT_CERT || "",
    clientKey: env.LEDGER_CLIENT_KEY || "",
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--ledger":
        opts.ledger = next();
        break;
      case "--listen":
        opts.listen = next();
        break;
      case "--max-streams":
        opts.maxStreams = positive(arg, next());
        break;
      case "--max-streams-per-client":
        opts.maxStreamsPerClient = positive(arg, next());
        break;
      case "--max-body-bytes":
        opts.maxBodyBytes = positive(arg, next());
        break;
      case "--trust-proxy":
        if (value !== undefined) throw new Error("--trust-proxy takes no value");
        opts.trustProxy = true;
        break;
      case "--token-file":
        opts.tokenFile = next();
        break;
      case "--ca":
        opts.ca = next();
        break;
      case "--client-cert":
        opts.clientCert = next();
        break;
      case "--client-key":
        opts.clientKey = next();
        break;
      case "-h":
      case "--help":
        opts.help = true;
        break;
      default:
        throw new Error(`unknown argument "${arg}"`);
    }
  }
  splitHostPort(opts.ledger, "--ledger");
  if (!opts.clientCert !== !opts.clientKey) {
    throw new Error(
      opts.clientCert
        ? "--client-cert needs --client-key too: a client certificate and its key go together"
        : "--client-key needs --client-cert too: a client certificate and its key go together",
    );
  }
  if (opts.clientCert && !opts.ca) {
    throw new Error("--client-cert and --client-key need --ca (or $LEDGER_CA): a client certificate is only presented over TLS");
  }
  return opts;
}
