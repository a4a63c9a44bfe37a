// The verifiable log (docs/AUDITING.md): checkpoints, proofs checked here,
// `audit verify --checkpoint`, the witness, donors' receipts and key files.
//
// Every check is made here, with ledger/merkle/ (the same code the server
// signs with) against a key the user pinned (--log-key); a server's answer
// is never trusted for what it claims, only for the hashes it hands over.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "clients/ledgerctl/reader.h"
#include "ledger/audit/replay.h"
#include "ledger/domain/money.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/merkle/note.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/projections/tree_index.h"
#include "ledger/status_macros.h"
#include "ledger/transparency/checkpoints.h"
#include "ledger/transparency/receipt.h"

namespace ledgerctl {
namespace {

namespace fs = std::filesystem;
namespace merkle = ::ledger::merkle;

// ------------------------------------------------------------------ files

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, size_t max_bytes,
                                          absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " ", path, " is over ", max_bytes, " bytes"));
    }
  }
  return text;
}

// Writes `data` to `path` complete or not at all: a file beside it, synced,
// renamed over it, the directory synced.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view data, mode_t mode) {
  const std::string partial = absl::StrCat(path, ".partial");
  const int fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  bool ok = fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < data.size();) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  }
  const std::string dir = fs::path(path).parent_path().empty()
                              ? std::string(".")
                              : fs::path(path).parent_path().string();
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------ keys

// Verifier keys given as text (one), or a file holding one or more, one a
// line (a ledger's current key and those it retired after a rotation).
absl::StatusOr<std::vector<merkle::VerifierKey>> VerifierKeysFrom(const Invocation& in,
                                                                  absl::string_view option,
                                                                  const std::string& value) {
  absl::StatusOr<merkle::VerifierKey> direct = merkle::ParseVerifierKey(value);
  if (direct.ok()) return std::vector<merkle::VerifierKey>{*direct};
  std::error_code ec;
  if (!fs::is_regular_file(value, ec)) {
    return Usage(in,
                 absl::StrCat("--", option, ": \"", value.substr(0, 80),
                              "\" is neither a verifier key (NAME+KEYID+BASE64: ",
                              direct.status().message(), ") nor a file"),
                 absl::StrCat("--", option));
  }
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(value, size_t{64} * 1024, "verifier key file"));
  absl::StatusOr<std::vector<merkle::VerifierKey>> keys = ledger::ParseVerifierKeys(text);
  if (!keys.ok()) {
    return Usage(in, absl::StrCat("--", option, ": ", value, ": ", keys.status().message()),
                 absl::StrCat("--", option));
  }
  return keys;
}

// The keys checkpoints are checked with: --log-key when given (pinned), else
// the one announced by the server or the copy, with a warning.
struct CheckKey {
  std::vector<merkle::VerifierKey> keys;
  bool pinned = false;
};

absl::StatusOr<CheckKey> KeyToCheckWith(const Invocation& in, const std::string& announced) {
  CheckKey out;
  if (in.Has("log-key")) {
    ASSIGN_OR_RETURN(out.keys, VerifierKeysFrom(in, "log-key", in.Get("log-key")));
    out.pinned = true;
  } else {
    if (announced.empty()) {
      return absl::FailedPreconditionError(
          "no key to check the checkpoint with: give the ledger's published key with --log-key");
    }
    ASSIGN_OR_RETURN(merkle::VerifierKey key, merkle::ParseVerifierKey(announced));
    out.keys.push_back(std::move(key));
    std::cerr << "ledgerctl: note: checking with the key the "
              << (in.Has("data-dir") ? "copy holds" : "server announces")
              << ", which proves nothing on its own; pin the published key with --log-key\n";
  }
  for (const merkle::VerifierKey& k : out.keys) {
    if (k.type != merkle::kTypeEd25519) {
      return Usage(in,
                   "--log-key: a ledger's key has signature type 0x01 (this one is a witness's)",
                   "--log-key");
    }
  }
  return out;
}

std::string KeyLine(const CheckKey& k) {
  std::vector<std::string> ids;
  for (const merkle::VerifierKey& key : k.keys) {
    ids.push_back(absl::StrCat(key.name, "+", absl::StrFormat("%08x", key.id())));
  }
  return absl::StrCat(absl::StrJoin(ids, " or "),
                      k.pinned ? " (pinned with --log-key)" : " (announced, not pinned)");
}

std::string DefaultWitnessName(absl::string_view public_key) {
  return absl::StrCat("witness-", ledger::ToHex(ledger::Sha256(public_key)).substr(0, 8));
}

// ------------------------------------------------------------------ printing

std::string Age(int64_t now_us, int64_t then_us) {
  const int64_t s = std::max<int64_t>(0, (now_us - then_us) / 1'000'000);
  if (s < 120) return absl::StrCat(s, " s ago");
  if (s < 7200) return absl::StrCat(s / 60, " min ago");
  if (s < 172800) return absl::StrCat(s / 3600, " h ago");
  return absl::StrCat(s / 86400, " days ago");
}

std::string CosignedBy(const v1::Checkpoint& cp, int witnesses_configured) {
  std::vector<std::string> names;
  for (const auto& c : cp.cosignatures()) names.push_back(c.witness());
  std::string out = absl::StrCat("cosigned by ", names.size());
  if (witnesses_configured >= 0) absl::StrAppend(&out, " of ", witnesses_configured);
  absl::StrAppend(&out, " witness", names.size() == 1 && witnesses_configured <= 1 ? "" : "es");
  if (!names.empty()) absl::StrAppend(&out, " (", absl::StrJoin(names, ", "), ")");
  return out;
}

absl::StatusOr<v1::GetInclusionProofRequest> EventKey(const Invocation& in,
                                                      const std::string& word) {
  v1::GetInclusionProofRequest req;
  uint64_t position = 0;
  if (absl::SimpleAtoi(word, &position)) {
    req.set_position(position);
  } else {
    req.set_event_id(word);
  }
  return req;
}

// A negative finding: printed, exit 1.
int Refuse(const Invocation& in, const std::string& what) {
  if (in.json()) {
    std::cout << JsonObject({{"ok", "false"}, {"problem", JsonQuote(what)}}) << "\n";
  } else {
    std::cout << what << "\n";
  }
  return kExitRefused;
}

}  // namespace

// ------------------------------------------------------------------ checkpoint

absl::StatusOr<int> RunCheckpoint(const Invocation& in) {
  ASSIGN_OR_RETURN(int64_t size, IntOption(in, "size", 0, 1, INT64_MAX));
  if (in.Has("key") && (in.Has("cosigned") || in.Has("size"))) {
    return Usage(in, "--key prints the key; it takes no --cosigned or --size", "--key");
  }
  if (in.Has("cosigned") && in.Has("size")) {
    return Usage(in, "give --cosigned or --size, not both", "--size");
  }
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetCheckpointRequest req;
  req.set_tree_size(static_cast<uint64_t>(size));
  ASSIGN_OR_RETURN(v1::GetCheckpointResponse r, reader->Checkpoint(req));
  if (in.Has("key")) {
    ASSIGN_OR_RETURN(merkle::VerifierKey key, merkle::ParseVerifierKey(r.verifier_key()));
    const std::string id = absl::StrFormat("%08x", key.id());
    if (in.Has("output")) {
      // A file --log-key reads: the verifier key line.
      RETURN_IF_ERROR(WriteFileAtomically(in.Get("output"), key.ToString() + "\n", 0644));
    }
    if (in.json()) {
      std::cout << JsonObject({{"verifier_key", JsonQuote(key.ToString())},
                               {"name", JsonQuote(key.name)},
                               {"key_id", JsonQuote(id)},
                               {"public_key", JsonQuote(merkle::EncodeBase64(key.public_key))},
                               {"algorithm", JsonQuote("Ed25519")}})
                << "\n";
      return kExitOk;
    }
    std::cout << "verifier key  " << Terminal(key.ToString()) << "\n"
              << "key name      " << Terminal(key.name) << "  (the checkpoints' origin)\n"
              << "key id        " << id << "\n"
              << "public key    " << merkle::EncodeBase64(key.public_key) << "  (Ed25519)\n"
              << "Publish the verifier key line where auditors, witnesses and donors will find "
                 "it;\nthey check checkpoints with that copy, never with this answer.\n";
    if (in.Has("output")) std::cout << "written to " << Terminal(in.Get("output")) << "\n";
    return kExitOk;
  }
  if (in.Has("cosigned") && !r.has_latest_cosigned()) {
    return absl::FailedPreconditionError("no witness has cosigned a checkpoint of this ledger yet");
  }
  const v1::Checkpoint& cp = in.Has("cosigned") ? r.latest_cosigned() : r.checkpoint();
  const int configured = in.Has("data-dir") ? -1 : r.witnesses_size();
  const std::string summary = absl::StrCat(
      "checkpoint ", cp.tree_size(), " of ", cp.origin(), ", root ", Hex(cp.root_hash()), "; ",
      CosignedBy(cp, configured), "; signed ", Age(r.server_time_us(), cp.signed_at_us()));
  if (in.Has("output")) {
    RETURN_IF_ERROR(WriteFileAtomically(in.Get("output"), cp.note(), 0644));
  }
  if (in.json()) {
    PrintJson(r);
  } else if (in.Has("output")) {
    std::cout << Terminal(summary) << "\nwritten to " << Terminal(in.Get("output")) << "\n";
  } else {
    std::cout << cp.note();
    std::cerr << Terminal(summary) << "\n";
  }
  return kExitOk;
}

// ------------------------------------------------------------------ proofs

absl::StatusOr<int> RunProofInclusion(const Invocation& in) {
  ASSIGN_OR_RETURN(int64_t size, IntOption(in, "size", 0, 1, INT64_MAX));
  ASSIGN_OR_RETURN(v1::GetInclusionProofRequest req, EventKey(in, in.Positional("EVENT")));
  req.set_tree_size(static_cast<uint64_t>(size));
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  ASSIGN_OR_RETURN(v1::GetInclusionProofResponse proof, reader->InclusionProof(req));
  // The checkpoint it is checked against: the one the answer names, else the
  // kept checkpoint of that size, if any.
  std::optional<v1::Checkpoint> cp;
  std::string announced;
  {
    v1::GetCheckpointRequest creq;
    creq.set_tree_size(proof.tree_size());
    absl::StatusOr<v1::GetCheckpointResponse> c = reader->Checkpoint(creq);
    if (c.ok()) {
      cp = c->checkpoint();
      announced = c->verifier_key();
    } else if (proof.has_checkpoint()) {
      cp = proof.checkpoint();
    }
  }
  std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
  std::string verdict;
  bool verified = false;
  if (cp) {
    ASSIGN_OR_RETURN(CheckKey key, KeyToCheckWith(in, announced));
    absl::StatusOr<merkle::Checkpoint> opened = ledger::OpenCheckpoint(cp->note(), key.keys);
    if (!opened.ok()) {
      return Refuse(in, absl::StrCat("checkpoint ", cp->tree_size(), " FAILS its signature check (",
                                     KeyLine(key), "): ", opened.status().message()));
    }
    absl::Status included = merkle::VerifyInclusion(proof.position() - 1, proof.tree_size(),
                                                    proof.leaf_hash(), hashes, opened->root);
    verified = included.ok();
    verdict = verified ? absl::StrCat("VERIFIED: the event is leaf ", proof.position() - 1,
                                      " of the checkpoint of ", proof.tree_size(),
                                      " events signed by ", KeyLine(key))
                       : absl::StrCat("FAILED: ", included.message());
  } else {
    verdict = absl::StrCat("not checked: no checkpoint of ", proof.tree_size(),
                           " events is kept to check it against");
  }
  if (in.json()) {
    std::cout << ToJson(proof, {}, 0, {{"verified", verified ? "true" : "false"}}) << "\n";
  } else {
    std::cout << "event      #" << proof.position() << " (leaf " << proof.position() - 1
              << ") in the tree of " << proof.tree_size() << " events\n"
              << "leaf hash  " << Hex(proof.leaf_hash()) << "  SHA-256(0x00 || record)\n";
    for (size_t i = 0; i < hashes.size(); ++i) {
      std::cout << (i == 0 ? "proof      " : "           ") << Hex(hashes[i]) << "\n";
    }
    if (hashes.empty()) std::cout << "proof      (none: a tree of one event)\n";
    if (cp) std::cout << "root       " << Hex(cp->root_hash()) << "\n";
    std::cout << "inclusion  " << Terminal(verdict) << "\n";
  }
  return cp && !verified ? kExitRefused : kExitOk;
}

absl::StatusOr<int> RunProofConsistency(const Invocation& in) {
  uint64_t old_size = 0;
  if (!absl::SimpleAtoi(in.Positional("OLD"), &old_size) || old_size == 0) {
    return Usage(in, "OLD is a tree size: a whole number from 1", "OLD");
  }
  ASSIGN_OR_RETURN(int64_t size, IntOption(in, "size", 0, 1, INT64_MAX));
  ASSIGN_OR_RETURN(auto reader, OpenReader(in));
  v1::GetConsistencyProofRequest req;
  req.set_old_size(old_size);
  req.set_new_size(static_cast<uint64_t>(size));
  ASSIGN_OR_RETURN(v1::GetConsistencyProofResponse proof, reader->ConsistencyProof(req));
  // Both ends are checked against kept checkpoints when there are.
  auto kept = [&](uint64_t s) -> std::optional<v1::GetCheckpointResponse> {
    v1::GetCheckpointRequest c;
    c.set_tree_size(s);
    absl::StatusOr<v1::GetCheckpointResponse> r = reader->Checkpoint(c);
    return r.ok() ? std::optional<v1::GetCheckpointResponse>(*r) : std::nullopt;
  };
  std::optional<v1::GetCheckpointResponse> old_cp = kept(proof.old_size());
  std::optional<v1::GetCheckpointResponse> new_cp = kept(proof.new_size());
  std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
  std::string verdict = "not checked: no kept checkpoint of each size to check it against";
  bool verified = false;
  if (old_cp && new_cp) {
    ASSIGN_OR_RETURN(CheckKey key, KeyToCheckWith(in, new_cp->verifier_key()));
    absl::StatusOr<merkle::Checkpoint> a =
        ledger::OpenCheckpoint(old_cp->checkpoint().note(), key.keys);
    absl::StatusOr<merkle::Checkpoint> b =
        ledger::OpenCheckpoint(new_cp->checkpoint().note(), key.keys);
    if (!a.ok() || !b.ok()) {
      return Refuse(in, absl::StrCat("a checkpoint FAILS its signature check (", KeyLine(key),
                                     "): ", (!a.ok() ? a : b).status().message()));
    }
    absl::Status ok = merkle::VerifyConsistency(a->size, b->size, a->root, b->root, hashes);
    verified = ok.ok();
    verdict = verified ? absl::StrCat("VERIFIED: the log of ", a->size,
                                      " events is a prefix of the log of ", b->size,
                                      " (both signed by ", KeyLine(key), ")")
                       : absl::StrCat("FAILED: ", ok.message());
  }
  if (in.json()) {
    std::cout << ToJson(proof, {}, 0, {{"verified", verified ? "true" : "false"}}) << "\n";
  } else {
    std::cout << "trees        " << proof.old_size() << " -> " << proof.new_size() << " events\n";
    for (size_t i = 0; i < hashes.size(); ++i) {
      std::cout << (i == 0 ? "proof        " : "             ") << Hex(hashes[i]) << "\n";
    }
    std::cout << "consistency  " << Terminal(verdict) << "\n";
  }
  return old_cp && new_cp && !verified ? kExitRefused : kExitOk;
}

// ------------------------------------------------------------------ audit verify --checkpoint

namespace {

// What `audit verify --checkpoint` found: lines to print, the log's size and
// root, and what is wrong (empty when the log extends the checkpoint).
struct Extension {
  std::vector<std::string> lines;
  uint64_t size = 0;
  std::string root;
  std::string problem;
};

// Offline: the copy's chain, the roots recomputed from its records (not from
// its stored tree), and the stored tree's consistency proof to the head.
absl::Status ExtendsOffline(ledger::EventLog& log, const merkle::Checkpoint& kept, Extension& x) {
  auto view = log.NewReadView();
  x.size = view->head_position();
  ASSIGN_OR_RETURN(ledger::ChainReport chain, ledger::VerifyChain(*view, 0, 0));
  x.lines.push_back(chain.ok ? absl::StrCat("hash chain   verified over ", x.size, " events")
                             : absl::StrCat("hash chain   BROKEN at position ",
                                            chain.first_bad_position, ": ", chain.problem));
  if (x.size < kept.size) {
    x.problem = absl::StrCat("the copy holds ", x.size, " events, fewer than the ", kept.size,
                             " your checkpoint covers: events were removed");
    return absl::OkStatus();
  }
  merkle::CompactRange range;
  std::string root_at_kept;
  RETURN_IF_ERROR(view->ScanEvents(1, [&](const ledger::StoredEvent& e) {
    range.Append(ledger::RecordLeafHash(e.Record()));
    if (range.size() == kept.size) root_at_kept = range.Root();
    return true;
  }));
  x.root = range.Root();
  if (root_at_kept != kept.root) {
    x.problem = absl::StrCat("its first ", kept.size,
                             " events, hashed from the copy's records, have another root (",
                             Hex(root_at_kept), "): history was rewritten");
    return absl::OkStatus();
  }
  x.lines.push_back(absl::StrCat("root at ", kept.size,
                                 "   recomputed from the records: equal to the checkpoint's"));
  ledger::ViewTree tree(*view);
  ASSIGN_OR_RETURN(std::vector<std::string> proof,
                   merkle::ConsistencyProof(tree, kept.size, x.size));
  absl::Status consistent = merkle::VerifyConsistency(kept.size, x.size, kept.root, x.root, proof);
  if (!consistent.ok()) {
    x.problem = absl::StrCat("the stored tree's consistency proof ", kept.size, " -> ", x.size,
                             " fails: ", consistent.message());
    return absl::OkStatus();
  }
  x.lines.push_back(absl::StrCat("consistency  ", kept.size, " -> ", x.size, " verified (",
                                 proof.size(), " hashes)"));
  if (!chain.ok) x.problem = "the hash chain is broken (above)";
  return absl::OkStatus();
}

// The consistency proof `old_cp` -> `new_cp` from the server, checked here:
// OK, or what is wrong (FAILED_PRECONDITION); other errors are the call's.
absl::Status ServerProvesConsistency(Client& client, const merkle::Checkpoint& old_cp,
                                     const merkle::Checkpoint& new_cp, size_t* hashes_used) {
  v1::GetConsistencyProofRequest req;
  req.set_old_size(old_cp.size);
  req.set_new_size(new_cp.size);
  v1::GetConsistencyProofResponse proof;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    proof.Clear();
    return client.audit().GetConsistencyProof(c, req, &proof);
  }));
  std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
  if (hashes_used != nullptr) *hashes_used = hashes.size();
  absl::Status ok =
      merkle::VerifyConsistency(old_cp.size, new_cp.size, old_cp.root, new_cp.root, hashes);
  return ok.ok() ? ok : absl::FailedPreconditionError(ok.message());
}

// Online: the server's latest checkpoint and its consistency proof.
absl::Status ExtendsOnline(Client& client, const v1::Checkpoint& latest, const CheckKey& key,
                           const merkle::Checkpoint& kept, Extension& x) {
  absl::StatusOr<merkle::Checkpoint> now = ledger::OpenCheckpoint(latest.note(), key.keys);
  if (!now.ok()) {
    x.problem = absl::StrCat("the server's latest checkpoint fails its signature check: ",
                             now.status().message());
    return absl::OkStatus();
  }
  x.size = now->size;
  x.root = now->root;
  x.lines.push_back(
      absl::StrCat("the log      latest checkpoint ", now->size, " events, root ", Hex(now->root)));
  if (now->size < kept.size) {
    x.problem = absl::StrCat("the server's latest checkpoint covers ", now->size,
                             " events, fewer than your ", kept.size, ": it was rolled back");
    return absl::OkStatus();
  }
  size_t hashes = 0;
  absl::Status consistent = ServerProvesConsistency(client, kept, *now, &hashes);
  if (consistent.code() == absl::StatusCode::kFailedPrecondition) {
    x.problem = absl::StrCat("the consistency proof ", kept.size, " -> ", now->size,
                             " fails: ", consistent.message(),
                             " (history before your checkpoint was changed)");
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(consistent);
  x.lines.push_back(absl::StrCat("consistency  ", kept.size, " -> ", now->size, " verified (",
                                 hashes, " hashes)"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> AuditVerifyCheckpoint(const Invocation& in) {
  ASSIGN_OR_RETURN(std::string note,
                   ReadSmallFile(in.Get("checkpoint"), merkle::kMaxNoteBytes, "checkpoint file"));
  const bool offline = in.Has("data-dir");
  std::unique_ptr<ledger::EventLog> log;
  std::unique_ptr<Client> client;
  v1::GetCheckpointResponse latest;
  std::string announced;
  if (offline) {
    ASSIGN_OR_RETURN(log, OpenDataDir(in.Get("data-dir"), in.globals()));
    ASSIGN_OR_RETURN(std::optional<std::string> stored,
                     ledger::CheckpointStore(&log->database()).VerifierKey());
    announced = stored.value_or("");
  } else {
    client = std::make_unique<Client>(in.globals());
    RETURN_IF_ERROR(client->Call([&](grpc::ClientContext* c) {
      latest.Clear();
      return client->audit().GetCheckpoint(c, v1::GetCheckpointRequest(), &latest);
    }));
    announced = latest.verifier_key();
  }
  ASSIGN_OR_RETURN(CheckKey key, KeyToCheckWith(in, announced));
  absl::StatusOr<merkle::Checkpoint> kept = ledger::OpenCheckpoint(note, key.keys);
  if (!kept.ok()) {
    return Refuse(in, absl::StrCat("RESULT: the checkpoint in ", in.Get("checkpoint"),
                                   " FAILS its signature check (", KeyLine(key),
                                   "): ", kept.status().message()));
  }
  Extension x;
  x.lines.push_back(absl::StrCat("checkpoint   ", kept->size, " events, root ", Hex(kept->root),
                                 ", signed by ", KeyLine(key)));
  RETURN_IF_ERROR(offline ? ExtendsOffline(*log, *kept, x)
                          : ExtendsOnline(*client, latest.checkpoint(), key, *kept, x));
  if (!in.json()) {
    for (const std::string& l : x.lines) std::cout << Terminal(l) << "\n";
  }
  if (!x.problem.empty()) {
    return Refuse(in, absl::StrCat("RESULT: THE LOG DOES NOT EXTEND YOUR CHECKPOINT: ", x.problem));
  }
  if (in.json()) {
    std::cout << JsonObject({{"ok", "true"},
                             {"checkpoint_size", absl::StrCat("\"", kept->size, "\"")},
                             {"log_size", absl::StrCat("\"", x.size, "\"")},
                             {"log_root", JsonQuote(Hex(x.root))},
                             {"key_pinned", key.pinned ? "true" : "false"}})
              << "\n";
  } else {
    std::cout << "RESULT: the log extends the checkpoint you kept"
              << (offline ? " (recomputed from the records of this copy)." : ".") << "\n";
  }
  return kExitOk;
}

// ------------------------------------------------------------------ witness

namespace {

// The witness's state directory: the ledger key it trusts, the last
// checkpoint it cosigned, a lock, and evidence of what it refused.
struct WitnessState {
  fs::path dir;
  int lock_fd = -1;
  ~WitnessState() {
    if (lock_fd >= 0) close(lock_fd);
  }
  fs::path vkey() const { return dir / "log.vkey"; }
  fs::path checkpoint() const { return dir / "checkpoint"; }
};

absl::Status OpenState(const std::string& dir, WitnessState* state) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat("--state ", dir, " is not a directory"));
  }
  chmod(dir.c_str(), 0700);
  state->dir = dir;
  state->lock_fd = open((state->dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (state->lock_fd < 0 || flock(state->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("another witness run holds ", dir, " (its lock); try again when it ends"));
  }
  return absl::OkStatus();
}

// Refusal of a fork or a rollback: evidence kept, one loud line returned.
absl::Status WitnessRefuses(const WitnessState& state, const std::string& what,
                            const std::string& kept_note, const std::string& served_note) {
  const fs::path evidence =
      state.dir / absl::StrCat("refused-", absl::ToUnixSeconds(absl::Now()), ".txt");
  const std::string text =
      absl::StrCat("REFUSED: ", what, "\n\nthe checkpoint this witness ", "cosigned last:\n",
                   kept_note, "\nthe checkpoint the server showed:\n", served_note);
  (void)WriteFileAtomically(evidence.string(), text, 0600);
  std::cerr << "ledgerctl witness: REFUSED: " << Terminal(what) << "\n"
            << "  last cosigned and served checkpoints kept in " << evidence.string() << "\n";
  return absl::FailedPreconditionError(absl::StrCat("the witness refuses to cosign: ", what));
}

}  // namespace

namespace {

std::string KeysText(const std::vector<merkle::VerifierKey>& keys) {
  std::string out;
  for (const merkle::VerifierKey& k : keys) absl::StrAppend(&out, k.ToString(), "\n");
  return out;
}

// The ledger keys this witness trusts: those in its state (pinned on its
// first run from --log-key). Later runs may repeat --log-key (a timer does),
// but never bring in a key the witness has not pinned: trusting a new key
// takes its operator's own edit of the state.
absl::StatusOr<std::vector<merkle::VerifierKey>> TrustedLogKeys(const Invocation& in,
                                                                const WitnessState& state) {
  std::optional<std::vector<merkle::VerifierKey>> given;
  if (in.Has("log-key")) {
    ASSIGN_OR_RETURN(given, VerifierKeysFrom(in, "log-key", in.Get("log-key")));
    for (const merkle::VerifierKey& k : *given) {
      if (k.type != merkle::kTypeEd25519) {
        return Usage(in, "--log-key: the ledger's key has signature type 0x01", "--log-key");
      }
    }
  }
  std::error_code ec;
  if (!fs::exists(state.vkey(), ec)) {
    if (!given) {
      return Usage(in,
                   "the first run needs --log-key: the ledger's verifier key as its operator "
                   "published it",
                   "--log-key");
    }
    RETURN_IF_ERROR(WriteFileAtomically(state.vkey(), KeysText(*given), 0600));
    return *given;
  }
  ASSIGN_OR_RETURN(std::string text,
                   ReadSmallFile(state.vkey(), size_t{64} * 1024, "witness state file"));
  absl::StatusOr<std::vector<merkle::VerifierKey>> pinned = ledger::ParseVerifierKeys(text);
  if (!pinned.ok()) {
    return absl::DataLossError(
        absl::StrCat(state.vkey().string(), ": ", pinned.status().message()));
  }
  const std::string trusted = KeysText(*pinned);
  for (const merkle::VerifierKey& k : given.value_or(std::vector<merkle::VerifierKey>{})) {
    if (trusted.find(k.ToString() + "\n") == std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--log-key names a key this witness does not trust (", state.vkey().string(),
          " holds the trusted ones); if the ledger's operator rotated its key, add the new "
          "verifier key line to that file (docs/OPERATIONS.md, \"Rotating the signing key\")"));
    }
  }
  return pinned;
}

// OK when the served checkpoint `now` extends the last one this witness
// cosigned (none on a first run; *previous_size gets its size); else the
// refusal of a fork or a rollback, with the evidence kept.
absl::Status ExtendsWhatWasCosigned(const WitnessState& state, Client& client,
                                    const merkle::Checkpoint& now, const std::string& served_note,
                                    uint64_t* previous_size) {
  *previous_size = 0;
  std::error_code ec;
  if (!fs::exists(state.checkpoint(), ec)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string kept_note,
                   ReadSmallFile(state.checkpoint(), merkle::kMaxNoteBytes, "witness state file"));
  ASSIGN_OR_RETURN(merkle::SignedNote kept_parsed, merkle::ParseNote(kept_note));
  ASSIGN_OR_RETURN(merkle::Checkpoint kept, merkle::ParseCheckpointText(kept_parsed.text));
  *previous_size = kept.size;
  std::string refusal;
  if (kept.origin != now.origin) {
    refusal = absl::StrCat("the server shows the log \"", now.origin, "\", this witness follows \"",
                           kept.origin, "\"");
  } else if (now.size < kept.size) {
    refusal = absl::StrCat("ROLLBACK: this witness cosigned ", kept.size,
                           " events; the server now shows ", now.size);
  } else if (now.size == kept.size && now.root != kept.root) {
    refusal =
        absl::StrCat("FORK: two different logs of ", now.size, " events signed by the same key");
  } else if (now.size > kept.size) {
    absl::Status consistent = ServerProvesConsistency(client, kept, now, nullptr);
    if (consistent.code() != absl::StatusCode::kFailedPrecondition) RETURN_IF_ERROR(consistent);
    if (!consistent.ok()) {
      refusal = absl::StrCat("FORK: the log of ", now.size, " events does not extend the log of ",
                             kept.size, " this witness cosigned (", consistent.message(), ")");
    }
  }
  if (refusal.empty()) return absl::OkStatus();
  return WitnessRefuses(state, refusal, kept_note, served_note);
}

// The cosigned checkpoint: the ledger's signature and this witness's
// cosignature (what it vouches for; other witnesses speak for themselves).
absl::StatusOr<std::string> CosignedNote(const merkle::Checkpoint& now,
                                         const std::string& served_note, const std::string& name,
                                         const merkle::Ed25519PrivateKey& key) {
  const auto timestamp = static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now()));
  const std::string text = now.Text();
  ASSIGN_OR_RETURN(merkle::SignedNote served, merkle::ParseNote(served_note));
  merkle::SignedNote mine{text, {}};
  for (const merkle::NoteSignature& s : served.signatures) {
    if (s.name == now.origin) mine.signatures.push_back(s);
  }
  mine.signatures.push_back(merkle::Cosign(text, timestamp, name, key));
  return mine.Format();
}

}  // namespace

absl::StatusOr<int> RunWitness(const Invocation& in) {
  ASSIGN_OR_RETURN(merkle::Ed25519PrivateKey key,
                   merkle::LoadPrivateKeyFile(in.Get("key"), "witness key"));
  const std::string name = in.Get("name", DefaultWitnessName(key.public_key()));
  if (!merkle::IsValidKeyName(name)) {
    return Usage(in, "--name: a key name has no spaces and no \"+\"", "--name");
  }
  WitnessState state;
  RETURN_IF_ERROR(OpenState(in.Get("state"), &state));
  ASSIGN_OR_RETURN(std::vector<merkle::VerifierKey> trusted, TrustedLogKeys(in, state));
  Client client(in.globals());
  v1::GetCheckpointResponse served;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    served.Clear();
    return client.audit().GetCheckpoint(c, v1::GetCheckpointRequest(), &served);
  }));
  const std::string& served_note = served.checkpoint().note();
  absl::StatusOr<merkle::Checkpoint> now = ledger::OpenCheckpoint(served_note, trusted);
  if (!now.ok()) {
    return WitnessRefuses(state,
                          absl::StrCat("the served checkpoint is not signed by the trusted key: ",
                                       now.status().message()),
                          "(none)", served_note);
  }
  uint64_t previous_size = 0;
  RETURN_IF_ERROR(ExtendsWhatWasCosigned(state, client, *now, served_note, &previous_size));
  // Cosign, keep the new state, then hand the cosignature back.
  ASSIGN_OR_RETURN(std::string cosigned, CosignedNote(*now, served_note, name, key));
  RETURN_IF_ERROR(WriteFileAtomically(state.checkpoint(), cosigned, 0600));
  v1::AddCosignatureRequest add;
  add.set_cosigned_checkpoint(cosigned);
  v1::AddCosignatureResponse added;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    added.Clear();
    return client.audit().AddCosignature(c, add, &added);
  }));
  if (std::find(added.accepted().begin(), added.accepted().end(), name) == added.accepted().end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the ledger did not keep the cosignature of ", name,
                     " (is it configured with this witness's key?)"));
  }
  if (in.json()) {
    std::cout << JsonObject(
                     {{"witness", JsonQuote(name)},
                      {"tree_size", absl::StrCat("\"", now->size, "\"")},
                      {"previous_size", absl::StrCat("\"", previous_size, "\"")},
                      {"root", JsonQuote(Hex(now->root))},
                      {"cosignatures", absl::StrCat(added.checkpoint().cosignatures_size())}})
              << "\n";
    return kExitOk;
  }
  std::cout << "witness " << Terminal(name) << " cosigned checkpoint " << now->size << " of "
            << Terminal(now->origin) << " (root " << Hex(now->root) << ")\n"
            << (previous_size == 0
                    ? std::string("first run: no earlier checkpoint to compare with\n")
                    : absl::StrCat("consistent with the checkpoint of ", previous_size,
                                   " events it cosigned before\n"))
            << "accepted by the ledger: " << CosignedBy(added.checkpoint(), served.witnesses_size())
            << "\n";
  return kExitOk;
}

// ------------------------------------------------------------------ receipts

absl::StatusOr<int> RunReceipt(const Invocation& in) {
  ASSIGN_OR_RETURN(v1::GetInclusionProofRequest req, EventKey(in, in.Positional("EVENT_ID")));
  req.set_include_record(true);
  Client client(in.globals());
  v1::GetCheckpointResponse cps;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    cps.Clear();
    return client.audit().GetCheckpoint(c, v1::GetCheckpointRequest(), &cps);
  }));
  ASSIGN_OR_RETURN(CheckKey key, KeyToCheckWith(in, cps.verifier_key()));
  // The latest checkpoint first (it names the event's position); then the
  // newest cosigned one if it covers the event.
  auto prove = [&](uint64_t size) -> absl::StatusOr<v1::GetInclusionProofResponse> {
    v1::GetInclusionProofRequest r = req;
    r.set_tree_size(size);
    v1::GetInclusionProofResponse out;
    RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
      out.Clear();
      return client.audit().GetInclusionProof(c, r, &out);
    }));
    return out;
  };
  v1::Checkpoint cp = cps.checkpoint();
  ASSIGN_OR_RETURN(v1::GetInclusionProofResponse proof, prove(cp.tree_size()));
  const bool cosigned =
      cps.has_latest_cosigned() && cps.latest_cosigned().tree_size() >= proof.position();
  if (cosigned) {
    cp = cps.latest_cosigned();
    ASSIGN_OR_RETURN(proof, prove(cp.tree_size()));
  }
  ledger::Receipt receipt;
  receipt.position = proof.position();
  receipt.record = proof.record();
  receipt.proof.assign(proof.hashes().begin(), proof.hashes().end());
  receipt.checkpoint_note = cp.note();
  // Checked before it is written: a receipt that does not verify is no receipt.
  absl::StatusOr<ledger::ReceiptCheck> check = ledger::VerifyReceipt(receipt, key.keys, {});
  if (!check.ok()) {
    return absl::DataLossError(absl::StrCat("the server's answer does not make a valid receipt: ",
                                            check.status().message()));
  }
  RETURN_IF_ERROR(WriteFileAtomically(in.Get("output"), ledger::FormatReceipt(receipt), 0600));
  if (in.json()) {
    std::cout << JsonObject({{"file", JsonQuote(in.Get("output"))},
                             {"position", absl::StrCat("\"", receipt.position, "\"")},
                             {"tree_size", absl::StrCat("\"", cp.tree_size(), "\"")},
                             {"cosignatures", absl::StrCat(cp.cosignatures_size())}})
              << "\n";
  } else {
    std::cout << "receipt for event #" << receipt.position << " ("
              << Terminal(DescribeBody(check->payload.body())) << ", "
              << Terminal(check->payload.occurred_on()) << ")\nin checkpoint " << cp.tree_size()
              << " of " << Terminal(cp.origin()) << ", " << CosignedBy(cp, cps.witnesses_size())
              << "\nwritten to " << Terminal(in.Get("output"))
              << " (mode 0600: it holds the event's record)\n";
    if (!cosigned) {
      std::cerr << "ledgerctl: note: no witness has cosigned a checkpoint covering this event "
                   "yet; ask again later for a cosigned receipt\n";
    }
  }
  return kExitOk;
}

namespace {

// Whether the live ledger still holds the receipt's checkpoint: its latest
// checkpoint (signed by one of `log_keys`) and a consistency proof from the
// receipt's. A line saying so; *holds false when it does not.
absl::StatusOr<std::string> LiveLogHolds(const Invocation& in,
                                         const std::vector<merkle::VerifierKey>& log_keys,
                                         const merkle::Checkpoint& receipt_cp, bool* holds) {
  *holds = false;
  Client client(in.globals());
  v1::GetCheckpointResponse latest;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    latest.Clear();
    return client.audit().GetCheckpoint(c, v1::GetCheckpointRequest(), &latest);
  }));
  absl::StatusOr<merkle::Checkpoint> now =
      ledger::OpenCheckpoint(latest.checkpoint().note(), log_keys);
  if (!now.ok()) {
    return absl::StrCat("the server's checkpoint fails its signature check: ",
                        now.status().message());
  }
  if (now->size < receipt_cp.size) {
    return absl::StrCat("the live log's checkpoint covers ", now->size,
                        " events, fewer than the receipt's ", receipt_cp.size,
                        ": it was rolled back");
  }
  size_t hashes = 0;
  absl::Status ok = ServerProvesConsistency(client, receipt_cp, *now, &hashes);
  if (ok.code() == absl::StatusCode::kFailedPrecondition) {
    return absl::StrCat("the live log (", now->size,
                        " events) does not extend the receipt's checkpoint: ", ok.message(),
                        " (its history was rewritten)");
  }
  RETURN_IF_ERROR(ok);
  *holds = true;
  return absl::StrCat(now->size, " events: consistent with the receipt's checkpoint (", hashes,
                      " hashes): it still holds this event");
}

std::vector<std::string> ReceiptLines(const ledger::ReceiptCheck& check,
                                      const std::vector<merkle::VerifierKey>& log_keys) {
  return {
      absl::StrCat("event        #", check.position, "  ", check.payload.occurred_on(), "  ",
                   DescribeBody(check.payload.body()), "  [", check.payload.event_id(), "]"),
      absl::StrCat("record       SHA-256(0x00 || record) is leaf ", check.position - 1,
                   " of the checkpoint's tree: proof verified"),
      absl::StrCat("checkpoint   ", check.checkpoint.size, " events of ", check.checkpoint.origin,
                   ", signed by the ledger's key ", KeyLine(CheckKey{log_keys, /*pinned=*/true})),
      absl::StrCat("witnesses    ",
                   check.cosigners.empty() ? std::string("none checked")
                                           : absl::StrJoin(check.cosigners, ", "),
                   check.unknown_signers.empty()
                       ? ""
                       : absl::StrCat("; not checked (no key given): ",
                                      absl::StrJoin(check.unknown_signers, ", ")))};
}

}  // namespace

absl::StatusOr<int> RunReceiptVerify(const Invocation& in) {
  ASSIGN_OR_RETURN(std::vector<merkle::VerifierKey> log_keys,
                   VerifierKeysFrom(in, "log-key", in.Get("log-key")));
  std::vector<merkle::VerifierKey> witnesses;
  if (in.Has("witness-keys")) {
    ASSIGN_OR_RETURN(witnesses, ledger::LoadWitnessKeys(in.Get("witness-keys")));
  }
  ASSIGN_OR_RETURN(std::string text,
                   ReadSmallFile(in.Positional("FILE"), ledger::kMaxReceiptBytes, "receipt"));
  ASSIGN_OR_RETURN(ledger::Receipt receipt, ledger::ParseReceipt(text));
  absl::StatusOr<ledger::ReceiptCheck> check = ledger::VerifyReceipt(receipt, log_keys, witnesses);
  if (!check.ok()) {
    return Refuse(in,
                  absl::StrCat("RESULT: THE RECEIPT DOES NOT VERIFY: ", check.status().message()));
  }
  std::vector<std::string> lines = ReceiptLines(*check, log_keys);
  const bool online = in.globals().server_given;
  bool holds = true;
  if (online) {
    ASSIGN_OR_RETURN(std::string line, LiveLogHolds(in, log_keys, check->checkpoint, &holds));
    lines.push_back(absl::StrCat("live log     ", line));
  }
  if (in.json()) {
    std::cout << JsonObject({{"ok", holds ? "true" : "false"},
                             {"position", absl::StrCat("\"", check->position, "\"")},
                             {"event_id", JsonQuote(check->payload.event_id())},
                             {"tree_size", absl::StrCat("\"", check->checkpoint.size, "\"")},
                             {"online", online ? "true" : "false"}})
              << "\n";
  } else {
    for (const std::string& l : lines) std::cout << Terminal(l) << "\n";
    std::cout << (holds ? "RESULT: the receipt verifies"
                        : "RESULT: THE LIVE LOG NO LONGER HOLDS WHAT THIS RECEIPT PROVES")
              << (holds && !online
                      ? " (offline; give --server to check the live log still holds it)."
                      : ".")
              << "\n";
  }
  return holds ? kExitOk : kExitRefused;
}

// ------------------------------------------------------------------ keys

absl::StatusOr<int> RunKeyGenerate(const Invocation& in) {
  if (in.Has("witness") && !in.Has("name")) {
    return Usage(in, "--witness needs --name (the witness's name, as the ledger will list it)",
                 "--name");
  }
  if (in.Has("name") && !merkle::IsValidKeyName(in.Get("name"))) {
    return Usage(in, "--name: a key name has no spaces and no \"+\"", "--name");
  }
  ASSIGN_OR_RETURN(merkle::Ed25519PrivateKey key, merkle::Ed25519PrivateKey::Generate());
  RETURN_IF_ERROR(merkle::WritePrivateKeyFile(in.Get("output"), key));
  const merkle::VerifierKey vkey{
      in.Get("name"), in.Has("witness") ? merkle::kTypeCosignatureV1 : merkle::kTypeEd25519,
      key.public_key()};
  if (in.json()) {
    ledgerctl::JsonMembers m = {{"file", JsonQuote(in.Get("output"))},
                                {"public_key", JsonQuote(merkle::EncodeBase64(key.public_key()))}};
    if (in.Has("name")) m.push_back({"verifier_key", JsonQuote(vkey.ToString())});
    std::cout << JsonObject(m) << "\n";
    return kExitOk;
  }
  std::cout << "wrote " << Terminal(in.Get("output"))
            << " (Ed25519 private key, mode 0600; back it up apart from the data)\n"
            << "public key    " << merkle::EncodeBase64(key.public_key()) << "\n";
  if (in.Has("name")) std::cout << "verifier key  " << Terminal(vkey.ToString()) << "\n";
  return kExitOk;
}

absl::StatusOr<int> RunKeyShow(const Invocation& in) {
  if (!merkle::IsValidKeyName(in.Get("name"))) {
    return Usage(in, "--name: a key name has no spaces and no \"+\"", "--name");
  }
  ASSIGN_OR_RETURN(merkle::Ed25519PrivateKey key,
                   merkle::LoadPrivateKeyFile(in.Positional("FILE"), "key"));
  const merkle::VerifierKey vkey{
      in.Get("name"), in.Has("witness") ? merkle::kTypeCosignatureV1 : merkle::kTypeEd25519,
      key.public_key()};
  if (in.json()) {
    std::cout << JsonObject({{"verifier_key", JsonQuote(vkey.ToString())},
                             {"public_key", JsonQuote(merkle::EncodeBase64(key.public_key()))}})
              << "\n";
  } else {
    std::cout << Terminal(vkey.ToString()) << "\n";
  }
  return kExitOk;
}

}  // namespace ledgerctl
