#!/usr/bin/env python3
"""Connection flood and health check for tests/e2e/fd_exhaustion_test.sh.

  fd_flood.py hold PORT COUNT RELEASE_FILE
      Opens COUNT TCP connections to 127.0.0.1:PORT (loopback only), prints
      "opened N", then holds them until RELEASE_FILE exists (20 s at most);
      then prints how many the server had closed ("closed_by_server N") and
      how many were still open ("held N"), and closes them all.
  fd_flood.py health PORT
      One grpc.health.v1.Health/Check over cleartext HTTP/2 (by hand: the
      test needs no gRPC for Python); prints SERVING, NOT_SERVING, or why not.
"""

import os
import resource
import select
import socket
import struct
import sys
import time


def hold(port, count, release_file):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, count + 64) if hard != resource.RLIM_INFINITY else count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    socks, failed = [], 0
    deadline = time.monotonic() + 10
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            socks.append(s)
        except OSError:
            failed += 1
            s.close()
    print(f"opened {len(socks)} failed {failed}", flush=True)
    end = time.monotonic() + 20
    while not os.path.exists(release_file) and time.monotonic() < end:
        time.sleep(0.05)
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1  # reset by the server
    print(f"closed_by_server {closed} held {len(socks) - closed}", flush=True)
    for s in socks:
        s.close()


def frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def header(name, value):
    # HPACK: a literal header field without indexing, new name, no Huffman.
    name, value = name.encode(), value.encode()
    return bytes([0, len(name)]) + name + bytes([len(value)]) + value


def health(port):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
    except OSError as e:
        print(f"cannot connect: {e}")
        return
    s.settimeout(3)
    headers = b"".join(
        header(n, v)
        for n, v in [(":method", "POST"), (":scheme", "http"), (":path", "/grpc.health.v1.Health/Check"),
                     (":authority", f"127.0.0.1:{port}"), ("content-type", "application/grpc"), ("te", "trailers")])
    s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"") + frame(1, 4, 1, headers) +
              frame(0, 1, 1, b"\x00\x00\x00\x00\x00"))
    buf = b""
    try:
        while True:
            while len(buf) >= 9:
                length = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + length:
                    break
                kind, flags, payload = buf[3], buf[4], buf[9:9 + length]
                buf = buf[9 + length:]
                if kind == 4 and not flags & 1:
                    s.sendall(frame(4, 1, 0, b""))  # SETTINGS ACK
                elif kind == 0 and len(payload) >= 5:
                    message = payload[5:]  # HealthCheckResponse: field 1, varint
                    print({b"\x08\x01": "SERVING", b"\x08\x02": "NOT_SERVING"}.get(message, f"status {message!r}"))
                    return
                elif kind in (3, 7):
                    print("refused (RST_STREAM or GOAWAY)")
                    return
            chunk = s.recv(65536)
            if not chunk:
                print("closed by the server")
                return
            buf += chunk
    except OSError as e:
        print(f"no answer: {e}")
    finally:
        s.close()


if __name__ == "__main__":
    if sys.argv[1] == "hold":
        hold(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        health(int(sys.argv[2]))
