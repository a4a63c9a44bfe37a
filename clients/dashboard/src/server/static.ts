// Serves the built page (dist/public) from memory: a fixed set of files read
// at start-up, so no request path ever reaches the file system.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, extname } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";

interface StaticFile {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Headers sent with every page response. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-cache",
};

export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      const full = join(dir, rel);
      if (statSync(full).isDirectory()) {
        walk(rel);
      } else {
        files.set(`/${rel}`, {
          body: readFileSync(full),
          type: TYPES[extname(name)] ?? "application/octet-stream",
        });
      }
    }
  };
  walk("");
  return files;
}

type Req = Pick<IncomingMessage, "method" | "url">;
type Res = Pick<ServerResponse, "writeHead" | "end">;

export function staticHandler(files: Map<string, StaticFile>) {
  return (req: Req, res: Res): void => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed\n");
      return;
    }
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://localhost").pathname;
    } catch {
      path = "";
    }
    if (path === "/") path = "/index.html";
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": file.type,
      "content-length": String(file.body.length),
      ...SECURITY_HEADERS,
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
  };
}
