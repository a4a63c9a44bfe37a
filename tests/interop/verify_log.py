#!/usr/bin/env python3
"""A second, independent verifier of the ledger's verifiable log.

  verify_log.py DIR

Written apart from the C++ code and sharing none of it: Python's hashlib for
SHA-256 and the `cryptography` package (Debian's python3-cryptography) for
Ed25519, nothing else. The proofs are checked by rebuilding the roots along
RFC 6962's own recursive definitions (PATH and SUBPROOF), not by the
bit-walking algorithm of RFC 9162 that the ledger uses, so a mistake shared
by the two is unlikely.

DIR holds what tests/e2e/interop_test.sh gathered with ledgerctl:
  ledger.vkey          the ledger's verifier key (name+keyid+base64(0x01||key))
  witnesses            the witnesses' verifier keys (type 0x04), one a line
  checkpoint.txt       the latest checkpoint, cosigned by the witnesses
  cp-*.txt             earlier checkpoints
  receipts/r-*.txt     a receipt for every event (record, proof, checkpoint)
  inclusion/p-*.json   `ledgerctl --json proof inclusion P`
  consistency/c-*.json `ledgerctl --json proof consistency OLD --size NEW`

Checks: every checkpoint's signature (C2SP signed note, Ed25519, key id);
every witness's cosignature/v1 of the latest; every receipt (the record's
leaf, its inclusion proof to the checkpoint's root); the root of the whole
tree recomputed from all the records; every inclusion and consistency proof.
Then it makes sure each check can fail: a changed record, note, root or
proof must be refused. Exit 0 when everything verifies, 1 otherwise.
"""

import base64
import glob
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

DASH = "\u2014 "


class Bad(Exception):
    pass


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(record):
    return sha256(b"\x00" + record)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split_point(n):
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    """RFC 6962 MTH over a list of leaf hashes."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def b64(text):
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode() != text:
        raise Bad("base64 not in its canonical form: " + text)
    return raw


# ---------------------------------------------------------------- keys and notes


def parse_vkey(text):
    name, key_id, key = text.strip().split("+", 2)
    raw = b64(key)
    kind, public = raw[0], raw[1:]
    want = sha256(name.encode() + b"\n" + bytes([kind]) + public)[:4]
    if want.hex() != key_id.lower():
        raise Bad("verifier key id does not match: " + text)
    return {"name": name, "type": kind, "public": public, "id": want}


def open_note(note):
    """(text, [(name, key id, signature)]) of a signed note."""
    if "\n\n" not in note:
        raise Bad("no blank line in the note")
    cut = note.rindex("\n\n")
    text, lines = note[: cut + 1], note[cut + 2 :]
    if not lines.endswith("\n"):
        raise Bad("the signature lines do not end in a newline")
    sigs = []
    for line in lines[:-1].split("\n"):
        if not line.startswith(DASH):
            raise Bad("a signature line without an em dash: " + line)
        name, blob = line[len(DASH) :].rsplit(" ", 1)
        raw = b64(blob)
        sigs.append((name, raw[:4], raw[4:]))
    return text, sigs


def ed25519_ok(public, message, signature):
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        return True
    except InvalidSignature:
        return False


def check_checkpoint(note, log_key):
    """The checkpoint (origin, size, root) if the ledger's key signed it."""
    text, sigs = open_note(note)
    mine = [s for s in sigs if s[0] == log_key["name"] and s[1] == log_key["id"]]
    if not mine:
        raise Bad("the checkpoint carries no signature of the ledger's key")
    for _, _, sig in mine:
        if not ed25519_ok(log_key["public"], text.encode(), sig):
            raise Bad("the ledger's signature does not verify")
    lines = text[:-1].split("\n")
    if len(lines) != 3:
        raise Bad("a checkpoint has three lines")
    origin, size, root = lines
    if origin != log_key["name"]:
        raise Bad("the origin is not the key's name")
    if str(int(size)) != size:
        raise Bad("tree size with leading zeros")
    root = b64(root)
    if len(root) != 32:
        raise Bad("the root is not 32 bytes")
    return {"text": text, "sigs": sigs, "origin": origin, "size": int(size), "root": root}


def check_cosignature(checkpoint, witness):
    """The cosignature/v1 timestamp of `witness` on `checkpoint`."""
    for name, key_id, sig in checkpoint["sigs"]:
        if name != witness["name"] or key_id != witness["id"]:
            continue
        if len(sig) != 72:
            raise Bad("a cosignature is a timestamp and a 64-byte signature")
        timestamp = int.from_bytes(sig[:8], "big")
        message = b"cosignature/v1\ntime %d\n" % timestamp + checkpoint["text"].encode()
        if not ed25519_ok(witness["public"], message, sig[8:]):
            raise Bad("the cosignature of %s does not verify" % name)
        return timestamp
    raise Bad("no cosignature of " + witness["name"])


# ---------------------------------------------------------------- proofs (recursive)


def root_from_inclusion(index, size, leaf, path):
    """Rebuilds MTH(D[size]) from PATH(index, D[size]) (bottom-up list)."""
    path = list(path)

    def rec(m, n):
        if n == 1:
            return leaf
        if not path:
            raise Bad("the inclusion proof is too short")
        top = path.pop()  # the last hash is the top of the recursion
        k = split_point(n)
        if m < k:
            return node_hash(rec(m, k), top)
        return node_hash(top, rec(m - k, n - k))

    if not 0 <= index < size:
        raise Bad("leaf index outside the tree")
    root = rec(index, size)
    if path:
        raise Bad("the inclusion proof is too long")
    return root


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """Rebuilds both roots from PROOF(old_size, D[new_size])."""
    proof = list(proof)
    if old_size == new_size:
        if proof or old_root != new_root:
            raise Bad("equal sizes need equal roots and no proof")
        return
    if not 0 < old_size < new_size:
        raise Bad("bad sizes")

    def rec(m, n, complete):
        # Returns (hash of the old part, hash of the whole) of D[n] for the
        # old tree's first m leaves, consuming the proof from its end.
        if m == n:
            if complete:
                return old_root, old_root
            if not proof:
                raise Bad("the consistency proof is too short")
            h = proof.pop()
            return h, h
        if not proof:
            raise Bad("the consistency proof is too short")
        other = proof.pop()
        k = split_point(n)
        if m <= k:
            old, new = rec(m, k, complete)
            return old, node_hash(new, other)
        old, new = rec(m - k, n - k, False)
        return node_hash(other, old), node_hash(other, new)

    old, new = rec(old_size, new_size, True)
    if proof:
        raise Bad("the consistency proof is too long")
    if old != old_root or new != new_root:
        raise Bad("the consistency proof does not lead to both roots")


def parse_receipt(text):
    head, note = text.split("\n\n", 1)
    lines = head.split("\n")
    if lines[0] != "solidarity-ledger receipt v1":
        raise Bad("not a receipt")
    position = int(lines[1][len("position ") :])
    record = b64(lines[2][len("record ") :])
    proof = [b64(l[len("proof ") :]) for l in lines[3:]]
    return position, record, proof, note


def check_receipt(text, log_key):
    position, record, proof, note = parse_receipt(text)
    cp = check_checkpoint(note, log_key)
    root = root_from_inclusion(position - 1, cp["size"], leaf_hash(record), proof)
    if root != cp["root"]:
        raise Bad("the receipt's record is not in its checkpoint")
    return position, record, cp


# ---------------------------------------------------------------- the run


def verify(directory):
    read = lambda p: open(os.path.join(directory, p), encoding="utf-8").read()
    log_key = parse_vkey(read("ledger.vkey"))
    if log_key["type"] != 1:
        raise Bad("the ledger's key is not an Ed25519 note key")
    witnesses = [parse_vkey(l) for l in read("witnesses").splitlines() if l.strip()]
    latest = check_checkpoint(read("checkpoint.txt"), log_key)
    for w in witnesses:
        if w["type"] != 4:
            raise Bad("a witness key is not a cosignature/v1 key")
        check_cosignature(latest, w)
    checkpoints = {latest["size"]: latest}
    signatures = 1
    for path in glob.glob(os.path.join(directory, "cp-*.txt")):
        signatures += 1
        cp = check_checkpoint(open(path, encoding="utf-8").read(), log_key)
        checkpoints[cp["size"]] = cp
    # Every receipt, and the whole tree from every record.
    records = {}
    for path in glob.glob(os.path.join(directory, "receipts", "r-*.txt")):
        position, record, cp = check_receipt(open(path, encoding="utf-8").read(), log_key)
        records[position] = record
        if cp["size"] != latest["size"]:
            raise Bad("a receipt is not of the latest checkpoint")
    if sorted(records) != list(range(1, latest["size"] + 1)):
        raise Bad("receipts are missing")
    leaves = [leaf_hash(records[p]) for p in sorted(records)]
    if mth(leaves) != latest["root"]:
        raise Bad("the root recomputed from every record is not the checkpoint's")
    for size, cp in checkpoints.items():
        if mth(leaves[:size]) != cp["root"]:
            raise Bad("checkpoint %d is not the tree of its first records" % size)
    # The server's inclusion and consistency proofs.
    inclusion = 0
    for path in glob.glob(os.path.join(directory, "inclusion", "p-*.json")):
        p = json.load(open(path))
        position, size = int(p["position"]), int(p["tree_size"])
        if bytes.fromhex(p["leaf_hash"]) != leaves[position - 1]:
            raise Bad("an inclusion proof's leaf hash is not its record's")
        root = root_from_inclusion(position - 1, size, leaves[position - 1],
                                   [bytes.fromhex(h) for h in p["hashes"]])
        if root != checkpoints[size]["root"]:
            raise Bad("an inclusion proof does not lead to its checkpoint")
        inclusion += 1
    consistency = 0
    for path in glob.glob(os.path.join(directory, "consistency", "c-*.json")):
        c = json.load(open(path))
        old, new = int(c["old_size"]), int(c["new_size"])
        verify_consistency(old, new, checkpoints[old]["root"], checkpoints[new]["root"],
                           [bytes.fromhex(h) for h in c["hashes"]])
        consistency += 1
    return log_key, witnesses, latest, records, checkpoints, signatures, inclusion, consistency


def must_fail(what, check):
    try:
        check()
    except Bad:
        return
    raise Bad("a changed %s was not refused" % what)


def check_inclusion(index, size, leaf, path, root):
    if root_from_inclusion(index, size, leaf, path) != root:
        raise Bad("the inclusion proof leads to another root")


def self_test(note, log_key, witnesses, latest, records, checkpoints):
    """Each check refuses what it must (else it proves nothing)."""
    size = latest["size"]
    changed = note.replace("\n%d\n" % size, "\n%d\n" % (size + 1), 1)
    must_fail("checkpoint text", lambda: check_checkpoint(changed, log_key))
    other = dict(latest, text=latest["text"] + "x")
    for w in witnesses:
        must_fail("cosigned text", lambda: check_cosignature(other, w))
    leaves = [leaf_hash(records[p]) for p in sorted(records)]
    for position in sorted({1, size // 2 + 1, size}):
        proof = inclusion_path(leaves, position - 1)
        check_inclusion(position - 1, size, leaves[position - 1], proof, latest["root"])
        record = bytearray(records[position])
        record[-1] ^= 1
        must_fail("record", lambda: check_inclusion(position - 1, size, leaf_hash(bytes(record)),
                                                    proof, latest["root"]))
        if proof:
            must_fail("proof", lambda: check_inclusion(position - 1, size, leaves[position - 1],
                                                       proof[:-1], latest["root"]))
    sizes = sorted(checkpoints)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        proof = consistency_proof(leaves, a, b)
        verify_consistency(a, b, checkpoints[a]["root"], checkpoints[b]["root"], proof)
        must_fail("old root", lambda: verify_consistency(a, b, checkpoints[b]["root"],
                                                         checkpoints[b]["root"], proof))
        must_fail("consistency proof", lambda: verify_consistency(
            a, b, checkpoints[a]["root"], checkpoints[b]["root"], proof[1:]))


def inclusion_path(leaves, m):
    """PATH(m, D) by its definition (to build proofs for the self-test)."""
    if len(leaves) <= 1:
        return []
    k = split_point(len(leaves))
    if m < k:
        return inclusion_path(leaves[:k], m) + [mth(leaves[k:])]
    return inclusion_path(leaves[k:], m - k) + [mth(leaves[:k])]


def consistency_proof(leaves, m, n, complete=True):
    """PROOF(m, D[n]) by its definition."""
    d = leaves[:n]
    if m == len(d):
        return [] if complete else [mth(d)]
    k = split_point(len(d))
    if m <= k:
        return consistency_proof(d[:k], m, k, complete) + [mth(d[k:])]
    return consistency_proof(d[k:], m - k, len(d) - k, False) + [mth(d[:k])]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        (log_key, witnesses, latest, records, checkpoints, signatures, inclusion,
         consistency) = verify(sys.argv[1])
        note = open(os.path.join(sys.argv[1], "checkpoint.txt"), encoding="utf-8").read()
        self_test(note, log_key, witnesses, latest, records, checkpoints)
    except (Bad, ValueError, KeyError, IndexError) as e:
        print("interop: FAILED: %s" % e)
        return 1
    print("interop: verified %d checkpoint signatures, %d cosignatures, %d receipts, the root of "
          "%d records, %d inclusion and %d consistency proofs (and each check refuses a change)"
          % (signatures, len(witnesses), len(records), latest["size"], inclusion,
             consistency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
