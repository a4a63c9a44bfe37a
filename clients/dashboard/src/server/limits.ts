// What one client of the dashboard server may take: request bodies read only
// up to a cap (413 beyond it, the connection closed), and live streams
// counted per client address and in total.

import type { IncomingMessage, ServerResponse } from "node:http";

/** Bytes of request bodies the server holds, now and at most so far. */
export class BodyBytes {
  held = 0;
  peak = 0;
  add(n: number): void {
    this.held += n;
    if (this.held > this.peak) this.peak = this.held;
  }
  remove(n: number): void {
    this.held -= n;
  }
}

/**
 * Whether the request says, before any of its body is read, that the body
 * is larger than `max` bytes (Content-Length). A body without a length
 * (chunked) is counted as it arrives: readBodyCapped.
 */
export function declaredTooLarge(req: IncomingMessage, max: number): boolean {
  const len = req.headers["content-length"];
  if (len === undefined) return false;
  // Node's parser has checked that it is one decimal number.
  return Number(len) > max;
}

/**
 * Answers 413 and closes the connection once the answer is out: whatever
 * else the client sends is not read.
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  const socket = req.socket;
  const destroy = () => socket.destroy();
  // A client that does not read its answer is cut off anyway.
  setTimeout(destroy, 1000).unref();
  res.shouldKeepAlive = false;
  res.writeHead(413, {
    "content-type": "text/plain; charset=utf-8",
    connection: "close",
  });
  res.end(`request body larger than ${max} bytes\n`, destroy);
}

/**
 * Reads the whole body, holding at most `max` bytes of it: a chunk that
 * would take it past the cap is not kept, reading stops, the client gets
 * 413 and the connection is closed. Resolves with the body, "too-large"
 * when it was refused, or "gone" when the client went away. The bytes stay
 * counted in `bytes` until the response is done.
 */
export function readBodyCapped(
  req: IncomingMessage,
  res: ServerResponse,
  max: number,
  bytes: BodyBytes,
): Promise<Uint8Array | "too-large" | "gone"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let counted = 0;
    res.once("close", () => bytes.remove(counted));
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onError);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > max) {
        stop();
        req.pause();
        chunks.length = 0;
        refuseTooLarge(req, res, max);
        resolve("too-large");
        return;
      }
      size += chunk.length;
      counted += chunk.length;
      bytes.add(chunk.length);
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = () => {
      stop();
      chunks.length = 0;
      resolve("gone");
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("aborted", onError);
  });
}

/**
 * Who a client is, for the per-client caps: the address of the connection.
 * With `trustProxy` (the server sits behind one reverse proxy that appends
 * the address it saw to X-Forwarded-For), the last address of that header;
 * never the header otherwise, since any client can write it.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers["x-forwarded-for"];
    const value = Array.isArray(xff) ? xff.join(",") : xff;
    const last = value?.split(",").map((s) => s.trim()).filter((s) => s !== "").pop();
    if (last) return normalizeAddress(last);
  }
  return normalizeAddress(req.socket.remoteAddress ?? "");
}

/** "::ffff:192.0.2.1" (an IPv4 client of a dual-stack socket) is 192.0.2.1. */
function normalizeAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address.toLowerCase();
}

/**
 * Open streams, at most `maxTotal` in all and `maxPerClient` per client;
 * refuses instead of queueing.
 */
export class StreamSlots {
  private total = 0;
  private readonly perClient = new Map<string, number>();
  constructor(
    private readonly maxTotal: number,
    private readonly maxPerClient: number,
  ) {}

  /** A release function (safe to call twice), or undefined when full. */
  tryAcquire(client: string): (() => void) | undefined {
    const mine = this.perClient.get(client) ?? 0;
    if (this.total >= this.maxTotal || mine >= this.maxPerClient) return undefined;
    this.total++;
    this.perClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left === 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
    };
  }

  get open(): number {
    return this.total;
  }

  openFor(client: string): number {
    return this.perClient.get(client) ?? 0;
  }

  byClient(): Record<string, number> {
    return Object.fromEntries(this.perClient);
  }
}
