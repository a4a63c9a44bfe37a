// The dashboard server: serves the built page and answers its gRPC-Web calls
// by forwarding each one to ledgerd over gRPC (HTTP/2, over TLS with --ca).
//
// It implements the LedgerQueries methods the page reads (GetSummary,
// ListBeneficiaries, GetBeneficiary, ListBranches, GetBranch, GetTrialBalance
// and the WatchBalances server stream) and four methods of LedgerAudit
// (GetHead, ReadEvents, VerifyChain, and GetCheckpoint: the latest
// checkpoint only, with its cosignatures). Nothing else is exposed: no
// LedgerCommands, no statements, no REST or JSON API of its own, and only the
// gRPC-Web protocol is accepted.
//
// The proxy calls as the public (no token) or with a viewer's token, and
// ledgerd itself answers such a caller without what it may not see (private
// details, a sensitive fund's id, event and request ids: docs/SECURITY.md).
// The proxy holds no redaction of its own: it passes answers on as ledgerd
// gave them, and errors as errors.ts says.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  Code,
  ConnectError,
  createClient,
  createConnectRouter,
  createContextKey,
  createContextValues,
  type CallOptions,
  type ConnectRouter,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import {
  compressionBrotli,
  compressionGzip,
  createGrpcTransport,
  Http2SessionManager,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import { LedgerAudit, LedgerQueries, type AsOf } from "../../gen/solidarity/ledger/v1/ledger_pb.js";
import { browserError, proxyError } from "./errors.js";
import { loadStaticFiles, staticHandler } from "./static.js";
import { http2ConnectOptions, tlsInterceptors, upstreamBaseUrl, type UpstreamTls } from "./tls.js";
import {
  BodyBytes,
  clientAddress,
  declaredTooLarge,
  readBodyCapped,
  refuseTooLarge,
  StreamSlots,
} from "./limits.js";

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
  /** Most WatchBalances streams open at once from one client address. */
  maxStreamsPerClient?: number;
  /**
   * Largest request body read, in bytes; a larger one is answered 413 and
   * its connection closed, and nothing of it goes to ledgerd.
   */
  maxBodyBytes?: number;
  /**
   * Take the client's address from the last entry of X-Forwarded-For (set
   * by one reverse proxy in front); otherwise the header is ignored.
   */
  trustProxy?: boolean;
  /** Deadline for unary calls to ledgerd when the browser sets none. */
  unaryTimeoutMs?: number;
  /** Most events one ReadEvents call may return through the proxy. */
  maxReadEvents?: number;
  /** Where to log; default stderr. */
  log?: (line: string) => void;
  /**
   * A member's token (64 hex characters) sent to ledgerd on every call as
   * "authorization: Bearer ..."; none: the proxy calls as the public.
   */
  token?: string;
  /** Call ledgerd over TLS (https) with these PEMs (tls.ts); none: HTTP/2 cleartext. */
  tls?: UpstreamTls;
}

export interface Dashboard {
  /** "http://HOST:PORT/" */
  url: string;
  port: number;
  /** What the server holds for its clients right now, for tests and logs. */
  stats(): DashboardStats;
  close(): Promise<void>;
}

export interface DashboardStats {
  /** Open WatchBalances streams, in all and by client address. */
  openStreams: number;
  openStreamsByClient: Record<string, number>;
  /** Request body bytes held now, and the most held at once since start. */
  bodyBytesHeld: number;
  bodyBytesPeak: number;
  /** Requests answered 413. */
  bodiesRefused: number;
}

/** The client address a call came from (see clientAddress). */
const clientKey = createContextKey("", { description: "client address" });

/** Runs one task at a time, in order. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A browser's as_of, rebuilt with only the fields this build knows. */
function asOf(a: AsOf | undefined) {
  return a ? { point: a.point } : undefined;
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const maxStreams = options.maxStreams ?? 256;
  const maxStreamsPerClient = options.maxStreamsPerClient ?? 8;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const trustProxy = options.trustProxy ?? false;
  const unaryTimeoutMs = options.unaryTimeoutMs ?? 15_000;
  const maxReadEvents = options.maxReadEvents ?? 100;

  const upstreamUrl = upstreamBaseUrl(options.ledger, options.tls);
  // One HTTP/2 connection to ledgerd (TLS with options.tls), shared by all
  // calls. After ledgerd restarts, the next call opens a new connection.
  const sessionManager = new Http2SessionManager(
    upstreamUrl,
    { idleConnectionTimeoutMs: 60_000 },
    http2ConnectOptions(options.tls),
  );
  // The browser's own headers are never forwarded: ledgerd sees the proxy's
  // token (or none), whoever opened the page.
  const token = options.token;
  const bearer: Interceptor = (next) => async (req) => {
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const transport = createGrpcTransport({
    baseUrl: upstreamUrl,
    sessionManager,
    interceptors: [bearer, ...tlsInterceptors(options.tls)],
  });
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

  // ledgerd answers the registers in pages. The proxy reads every page and
  // answers the browser with the whole list (the page sorts and searches it
  // itself). Pages of one position only; started over if the head moves.
  const allPages = async <Req extends { pageToken?: string; pageSize?: number }, Res extends { asOf?: { position: bigint }; nextPageToken: string }>(
    req: Req,
    opts: CallOptions,
    call: (r: Req, o: CallOptions) => Promise<Res>,
    gather: (all: Res, page: Res) => void,
  ): Promise<Res> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      let all: Res | undefined;
      let token = "";
      let moved = false;
      do {
        const page = await call({ ...req, pageSize: 1000, pageToken: token }, opts);
        if (!all) all = page;
        else if ((page.asOf?.position ?? 0n) !== (all.asOf?.position ?? 0n)) moved = true;
        else gather(all, page);
        token = page.nextPageToken;
      } while (token !== "" && !moved);
      if (!moved && all) {
        all.nextPageToken = "";
        return all;
      }
    }
    throw proxyError("the books kept changing while their pages were read", Code.Unavailable);
  };
  const allBeneficiaries = (req: Parameters<typeof queries.listBeneficiaries>[0], opts: CallOptions) =>
    allPages(req, opts, (r, o) => queries.listBeneficiaries(r, o), (all, page) => {
      all.beneficiaries.push(...page.beneficiaries);
    });
  const allBranches = (req: Parameters<typeof queries.listBranches>[0], opts: CallOptions) =>
    allPages(req, opts, (r, o) => queries.listBranches(r, o), (all, page) => {
      all.branches.push(...page.branches);
    });

  /** Turns any failure into the error a browser may see, and notes outages. */
  const publicError = (e: unknown): ConnectError => {
    const err = browserError(e, log);
    noteError(ConnectError.from(e));
    return err;
  };

  /**
   * One unary call: `call` asks ledgerd (with the browser's deadline and
   * cancellation).
   */
  const unary = async <T>(ctx: HandlerContext, call: (opts: CallOptions) => Promise<T>): Promise<T> => {
    try {
      const res = await call({
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs() ?? unaryTimeoutMs,
      });
      noteUp();
      return res;
    } catch (e) {
      throw publicError(e);
    }
  };

  const streams = new StreamSlots(maxStreams, maxStreamsPerClient);
  const verifyQueue = new SerialQueue();

  const routes = (router: ConnectRouter) => {
    router.service(LedgerQueries, {
      getSummary: (req, ctx) =>
        unary(ctx, (o) => queries.getSummary({ asOf: asOf(req.asOf) }, o)),
      listBeneficiaries: (req, ctx) =>
        unary(
          ctx,
          (o) => allBeneficiaries({ includeClosed: req.includeClosed, asOf: asOf(req.asOf) }, o),
        ),
      getBeneficiary: (req, ctx) =>
        unary(ctx, (o) =>
          queries.getBeneficiary({ beneficiaryId: req.beneficiaryId, asOf: asOf(req.asOf) }, o),
        ),
      listBranches: (req, ctx) =>
        unary(
          ctx,
          (o) => allBranches({ includeDisaffiliated: req.includeDisaffiliated, asOf: asOf(req.asOf) }, o),
        ),
      getBranch: (req, ctx) => unary(ctx, (o) => queries.getBranch({ branchId: req.branchId, asOf: asOf(req.asOf) }, o)),
      getTrialBalance: (req, ctx) => unary(ctx, (o) => queries.getTrialBalance({ asOf: asOf(req.asOf) }, o)),
      async *watchBalances(_req, ctx) {
        // At most maxStreamsPerClient from one address, maxStreams in all.
        const release = streams.tryAcquire(ctx.values.get(clientKey));
        if (!release) {
          throw proxyError("too many open dashboards", Code.ResourceExhausted);
        }
        try {
          const upstreamStream = queries.watchBalances(
            {},
            { signal: ctx.signal, timeoutMs: ctx.timeoutMs() },
          );
          for await (const res of upstreamStream) {
            noteUp();
            yield res;
          }
        } catch (e) {
          throw publicError(e);
        } finally {
          release();
        }
      },
    });
    router.service(LedgerAudit, {
      getHead: (_req, ctx) => unary(ctx, (o) => audit.getHead({}, o)),
      readEvents: (req, ctx) => {
        const limit = req.limit === 0 || req.limit > maxReadEvents ? maxReadEvents : req.limit;
        return unary(ctx, (o) => audit.readEvents({ fromPosition: req.fromPosition, limit }, o));
      },
      // The latest checkpoint and the newest cosigned one: the browser's
      // request is not passed on (a checkpoint of another size is not the
      // page's business).
      getCheckpoint: (_req, ctx) =>
        unary(ctx, (o) => audit.getCheckpoint({}, o)),
      // Chain verification hashes the whole range: one at a time, so that
      // many open pages cannot load ledgerd with parallel verifications.
      verifyChain: (req, ctx) =>
        verifyQueue.run(() => {
          if (ctx.signal.aborted) throw proxyError("canceled", Code.Canceled);
          return unary(ctx, (o) => audit.verifyChain({ fromPosition: req.fromPosition, toPosition: req.toPosition }, o));
        }),
    });
  };

  const shutdown = new AbortController();
  const serveStatic = staticHandler(loadStaticFiles(options.publicDir));
  const router = createConnectRouter({
    grpcWeb: true,
    grpc: false,
    connect: false,
    shutdownSignal: shutdown.signal,
    acceptCompression: [compressionGzip, compressionBrotli],
    // Per message, after decompression too.
    readMaxBytes: maxBodyBytes,
  });
  routes(router);
  const rpcs = new Map(router.handlers.map((h) => [h.requestPath, h]));

  // Every request's body is read first, capped, and only then handed on:
  // a call is forwarded to ledgerd only once its whole body is in.
  const bodyBytes = new BodyBytes();
  let bodiesRefused = 0;
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (declaredTooLarge(req, maxBodyBytes)) {
      bodiesRefused++;
      refuseTooLarge(req, res, maxBodyBytes);
      return;
    }
    const body = await readBodyCapped(req, res, maxBodyBytes, bodyBytes);
    if (body === "too-large") bodiesRefused++;
    if (typeof body === "string") return;
    const rpc = rpcs.get(req.url?.split("?", 2)[0] ?? "");
    if (!rpc) {
      serveStatic(req, res);
      return;
    }
    const values = createContextValues().set(clientKey, clientAddress(req, trustProxy));
    let uReq;
    try {
      uReq = universalRequestFromNodeRequest(req, res, undefined, values);
    } catch {
      res.writeHead(400).end();
      return;
    }
    uReq.body = (async function* () {
      yield body;
    })();
    try {
      await universalResponseToNodeResponse(await rpc(uReq), res);
    } catch (reason) {
      if (ConnectError.from(reason).code !== Code.Aborted) {
        log(`dashboard: ${rpc.service.typeName}/${rpc.method.name} failed: ${String(reason)}`);
      }
    }
  };

  const server = http.createServer((req, res) => void handler(req, res));
  // "Expect: 100-continue": a body too large is refused before it is sent.
  server.on("checkContinue", (req, res) => {
    if (declaredTooLarge(req, maxBodyBytes)) {
      bodiesRefused++;
      refuseTooLarge(req, res, maxBodyBytes);
      return;
    }
    res.writeContinue();
    void handler(req, res);
  });
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
  const stats = (): DashboardStats => ({
    openStreams: streams.open,
    openStreamsByClient: streams.byClient(),
    bodyBytesHeld: bodyBytes.held,
    bodyBytesPeak: bodyBytes.peak,
    bodiesRefused,
  });
  return { url, port, stats, close };
}
