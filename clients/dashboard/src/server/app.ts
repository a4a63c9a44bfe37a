// The dashboard server: serves the built page and answers its gRPC-Web calls
// by forwarding each one to ledgerd over gRPC (HTTP/2 cleartext).
//
// It implements LedgerQueries (every method, including the WatchBalances
// server stream) and three methods of LedgerAudit (GetHead, ReadEvents,
// VerifyChain). Nothing else is exposed: no LedgerCommands, no REST or JSON
// API of its own, and only the gRPC-Web protocol is accepted.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  Code,
  ConnectError,
  createClient,
  type CallOptions,
  type ConnectRouter,
  type HandlerContext,
} from "@connectrpc/connect";
import {
  connectNodeAdapter,
  createGrpcTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { LedgerAudit, LedgerQueries } from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import { redactBeneficiaryView, redactBeneficiaryViews, redactEvent } from "./redact.js";
import { loadStaticFiles, staticHandler } from "./static.js";

export interface DashboardOptions {
  /** ledgerd's address, "HOST:PORT". */
  ledger: string;
  /** Where to listen. Port 0 picks a free port. */
  listenHost: string;
  listenPort: number;
  /** The built page (dist/public). */
  publicDir: string;
  /** Most WatchBalances streams open at once (one per open page). */
  maxStreams?: number;
  /** Deadline for unary calls to ledgerd when the browser sets none. */
  unaryTimeoutMs?: number;
  /** Most events one ReadEvents call may return through the proxy. */
  maxReadEvents?: number;
  /** Where to log; default stderr. */
  log?: (line: string) => void;
}

export interface Dashboard {
  /** "http://HOST:PORT/" */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Keeps the code, message and details of ledgerd's error, drops its headers. */
function forwardError(err: unknown): ConnectError {
  const ce = ConnectError.from(err);
  const out = new ConnectError(ce.rawMessage, ce.code, undefined, undefined, ce.cause);
  // Incoming details (ErrorDetail, still encoded) are sent on as they came.
  out.details.push(...ce.details);
  return out;
}

/** A counting semaphore that refuses instead of queueing. */
class Slots {
  private used = 0;
  constructor(private readonly max: number) {}
  tryAcquire(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
  release(): void {
    this.used--;
  }
}

/** Runs one task at a time, in order. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const maxStreams = options.maxStreams ?? 256;
  const unaryTimeoutMs = options.unaryTimeoutMs ?? 15_000;
  const maxReadEvents = options.maxReadEvents ?? 100;

  const upstreamUrl = `http://${options.ledger}`;
  // One HTTP/2 connection to ledgerd, shared by all calls. After ledgerd
  // restarts, the next call opens a new connection.
  const sessionManager = new Http2SessionManager(upstreamUrl, {
    idleConnectionTimeoutMs: 60_000,
  });
  const transport = createGrpcTransport({ baseUrl: upstreamUrl, sessionManager });
  const queries = createClient(LedgerQueries, transport);
  const audit = createClient(LedgerAudit, transport);

  // Log ledgerd becoming unreachable and reachable again, once each.
  let upstreamDown = false;
  const noteUp = () => {
    if (upstreamDown) {
      upstreamDown = false;
      log(`dashboard: ledgerd at ${options.ledger} is reachable again`);
    }
  };
  const noteError = (err: ConnectError) => {
    if (err.code === Code.Unavailable && !upstreamDown) {
      upstreamDown = true;
      log(`dashboard: ledgerd at ${options.ledger} unreachable: ${err.rawMessage}`);
    }
  };

  const unary = async <T>(ctx: HandlerContext, call: (opts: CallOptions) => Promise<T>) => {
    try {
      const res = await call({
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs() ?? unaryTimeoutMs,
      });
      noteUp();
      return res;
    } catch (e) {
      const err = forwardError(e);
      noteError(err);
      throw err;
    }
  };

  const streams = new Slots(maxStreams);
  const verifyQueue = new SerialQueue();

  const routes = (router: ConnectRouter) => {
    router.service(LedgerQueries, {
      getSummary: (req, ctx) => unary(ctx, (o) => queries.getSummary(req, o)),
      listBeneficiaries: async (req, ctx) => {
        const res = await unary(ctx, (o) => queries.listBeneficiaries(req, o));
        redactBeneficiaryViews(res.beneficiaries);
        return res;
      },
      getBeneficiary: async (req, ctx) => {
        const res = await unary(ctx, (o) => queries.getBeneficiary(req, o));
        if (res.beneficiary) redactBeneficiaryView(res.beneficiary);
        return res;
      },
      listBranches: (req, ctx) => unary(ctx, (o) => queries.listBranches(req, o)),
      getBranch: (req, ctx) => unary(ctx, (o) => queries.getBranch(req, o)),
      getTrialBalance: (req, ctx) => unary(ctx, (o) => queries.getTrialBalance(req, o)),
      async *watchBalances(req, ctx) {
        if (!streams.tryAcquire()) {
          throw new ConnectError("too many open dashboards", Code.ResourceExhausted);
        }
        try {
          const upstream = queries.watchBalances(req, {
            signal: ctx.signal,
            timeoutMs: ctx.timeoutMs(),
          });
          for await (const res of upstream) {
            noteUp();
            redactBeneficiaryViews(res.beneficiaries);
            yield res;
          }
        } catch (e) {
          const err = forwardError(e);
          noteError(err);
          throw err;
        } finally {
          streams.release();
        }
      },
    });
    router.service(LedgerAudit, {
      getHead: (req, ctx) => unary(ctx, (o) => audit.getHead(req, o)),
      readEvents: async (req, ctx) => {
        const limit = req.limit === 0 || req.limit > maxReadEvents ? maxReadEvents : req.limit;
        const res = await unary(ctx, (o) => audit.readEvents({ ...req, limit }, o));
        for (const ev of res.events) redactEvent(ev);
        return res;
      },
      // Chain verification hashes the whole range: one at a time, so that
      // many open pages cannot load ledgerd with parallel verifications.
      verifyChain: (req, ctx) =>
        verifyQueue.run(() => {
          if (ctx.signal.aborted) throw new ConnectError("canceled", Code.Canceled);
          return unary(ctx, (o) => audit.verifyChain(req, o));
        }),
    });
  };

  const shutdown = new AbortController();
  const serveStatic = staticHandler(loadStaticFiles(options.publicDir));
  const handler = connectNodeAdapter({
    routes,
    grpcWeb: true,
    grpc: false,
    connect: false,
    shutdownSignal: shutdown.signal,
    fallback: (req, res) => serveStatic(req, res as http.ServerResponse),
  });

  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listenPort, options.listenHost, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${hostForUrl(options.listenHost)}:${port}/`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      shutdown.abort();
      server.close(() => resolve());
      server.closeAllConnections();
      sessionManager.abort();
    });
    return closing;
  };
  return { url, port, close };
}
