// ledgerd: the Solidarity Ledger server.
//
//   ledgerd --private_key_file=FILE [--data_dir=./var/ledger]
//           [--listen=127.0.0.1:50051] [--sync=true] [--ledger_name=NAME]
//           [--port_file=FILE]
//           [--checkpoint_key=FILE [--checkpoint_origin=ORIGIN]
//            [--checkpoint_interval_ms=2000] [--witness_keys=FILE]]
//
// Creates the ledger on first start. The private key file (64 hex
// characters, mode 0600, kept outside the data directory; `ledgerctl key
// create FILE` makes one) seals the ledger's private details; without it, or
// with a wrong one, ledgerd refuses to start with one line saying why. With
// --checkpoint_key it signs a checkpoint of the log (C2SP tlog-checkpoint)
// every few seconds while the log grows and accepts the cosignatures of the
// witnesses in --witness_keys (docs/OPERATIONS.md, "Keys"). SIGTERM /
// SIGINT: stop accepting calls, drain the ones in flight, sign a last
// checkpoint, close the database cleanly. One log line per commit goes to
// stderr.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/crypto/keyring.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/status_macros.h"
#include "ledger/transparency/checkpoints.h"
#include "services/server.h"

ABSL_FLAG(std::string, data_dir, "./var/ledger", "RocksDB data directory of the ledger");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "address to serve gRPC on (port 0 = any free)");
ABSL_FLAG(bool, sync, true,
          "sync the WAL before acknowledging an append (turn off only for bulk imports)");
ABSL_FLAG(std::string, private_key_file, "",
          "the ledger's private key file (0600, outside the data directory): seals donors' "
          "and payees' details; required");
ABSL_FLAG(std::string, ledger_name, "Solidarity Ledger", "name of a newly created ledger");
ABSL_FLAG(std::string, port_file, "", "write the bound port number to this file once listening");
ABSL_FLAG(int, max_queued_appends, static_cast<int>(ledger::kDefaultMaxQueuedAppends),
          "append requests that may wait for the writer before RESOURCE_EXHAUSTED");
ABSL_FLAG(std::string, checkpoint_key, "",
          "Ed25519 private key file (PEM, mode 0600, kept apart from the data directory) to sign "
          "checkpoints with; none = no checkpoints");
ABSL_FLAG(std::string, checkpoint_origin, "",
          "the checkpoints' origin line and key name (default solidarity-ledger/<ledger id>)");
ABSL_FLAG(int, checkpoint_interval_ms, 2000,
          "sign a checkpoint at most this often while the log grows");
ABSL_FLAG(std::string, witness_keys, "",
          "file of witness verifier keys (one per line) whose cosignatures are accepted");

namespace {

int stop_pipe[2] = {-1, -1};

void OnSignal(int) {
  const char c = 1;
  // Async-signal-safe wake-up of the main thread.
  ssize_t unused = write(stop_pipe[1], &c, 1);
  (void)unused;
}

// The checkpoint signer the flags ask for: none without --checkpoint_key
// (with a warning), else one started on `log` with its key and witnesses.
absl::StatusOr<std::unique_ptr<ledger::Checkpointer>> StartCheckpointer(ledger::EventLog& log) {
  if (log.tree_caught_up_at_open() > 0) {
    std::fprintf(stderr, "ledgerd: built the Merkle tree over %llu events written before it\n",
                 static_cast<unsigned long long>(log.tree_caught_up_at_open()));
  }
  std::unique_ptr<ledger::Checkpointer> none;
  if (absl::GetFlag(FLAGS_checkpoint_key).empty()) {
    if (!absl::GetFlag(FLAGS_witness_keys).empty()) {
      return absl::InvalidArgumentError(
          "--witness_keys needs --checkpoint_key (witnesses cosign the ledger's checkpoints)");
    }
    std::fprintf(stderr,
                 "ledgerd: WARNING: no --checkpoint_key: no checkpoints are signed, so nobody "
                 "outside can check that the books are not rewritten (docs/OPERATIONS.md)\n");
    return none;
  }
  ASSIGN_OR_RETURN(
      ledger::merkle::Ed25519PrivateKey key,
      ledger::merkle::LoadPrivateKeyFile(absl::GetFlag(FLAGS_checkpoint_key), "checkpoint key"));
  ledger::CheckpointerOptions options;
  options.origin = absl::GetFlag(FLAGS_checkpoint_origin);
  options.interval = absl::Milliseconds(std::max(10, absl::GetFlag(FLAGS_checkpoint_interval_ms)));
  if (!absl::GetFlag(FLAGS_witness_keys).empty()) {
    ASSIGN_OR_RETURN(options.witnesses, ledger::LoadWitnessKeys(absl::GetFlag(FLAGS_witness_keys)));
  }
  const size_t witnesses = options.witnesses.size();
  ASSIGN_OR_RETURN(std::unique_ptr<ledger::Checkpointer> started,
                   ledger::Checkpointer::Start(&log, std::move(key), std::move(options)));
  std::fprintf(stderr, "ledgerd: signing checkpoints as %s (%zu witnesses)\n",
               started->verifier_key().ToString().c_str(), witnesses);
  return started;
}

// One line per commit, told by the writer after each one; returns the
// listener's id.
uint64_t AddCommitLogger(ledger::EventLog& log) {
  return log.AddCommitListener(
      [seen = log.head_position()](const ledger::CommitInfo& info) mutable {
        if (!info.write_status.ok() || info.head_position <= seen) return;
        std::fprintf(stderr, "ledgerd: commit head=%llu hash=%s (+%llu events)\n",
                     static_cast<unsigned long long>(info.head_position),
                     ledger::ToHex(info.head_hash).substr(0, 16).c_str(),
                     static_cast<unsigned long long>(info.head_position - seen));
        seen = info.head_position;
      });
}

// Signs a last checkpoint (of the last commits) and stops the signer.
void StopCheckpointer(std::unique_ptr<ledger::Checkpointer> checkpointer) {
  if (!checkpointer) return;
  absl::Status last = checkpointer->SignNow().status();
  if (!last.ok()) {
    std::fprintf(stderr, "ledgerd: the last checkpoint could not be signed: %s\n",
                 std::string(last.message()).c_str());
  }
}

// The private key of --private_key_file, refused when the flag is missing or
// the file lies inside the data directory (it would travel with every copy
// and backup of the data, the very thing it protects).
absl::StatusOr<std::string> LoadPrivateKey(const std::string& key_file, const std::string& dir) {
  if (key_file.empty()) {
    return absl::InvalidArgumentError(
        "needs --private_key_file=FILE (make one with `ledgerctl key create FILE`, kept outside "
        "the data directory)");
  }
  std::error_code ec;
  const auto key_path = std::filesystem::weakly_canonical(key_file, ec);
  const auto data_path = std::filesystem::weakly_canonical(dir, ec);
  const auto rel = key_path.lexically_relative(data_path);
  if (!rel.empty() && *rel.begin() != "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("the private key file ", key_file, " is inside the data directory ", dir,
                     ": keep it elsewhere, so that no copy or backup of the data carries it"));
  }
  return ledger::ReadKeyFile(key_file);
}

// The port, written whole (a reader never sees half a number).
void WritePortFile(const std::string& path, int port) {
  std::error_code ec;
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::filesystem::rename(tmp, path, ec);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "the Solidarity Ledger server: gRPC over an embedded RocksDB event log");
  absl::ParseCommandLine(argc, argv);
  ledger::EventLogOptions options;
  options.sync = absl::GetFlag(FLAGS_sync);
  options.ledger_name = absl::GetFlag(FLAGS_ledger_name);
  options.max_queued_appends = static_cast<size_t>(absl::GetFlag(FLAGS_max_queued_appends));
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  auto key = LoadPrivateKey(absl::GetFlag(FLAGS_private_key_file), dir);
  if (!key.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(key.status().message()).c_str());
    return 1;
  }
  options.private_key = *std::move(key);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  auto log = ledger::EventLog::Open(dir, options);
  if (!log.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(log.status().message()).c_str());
    return 1;
  }
  auto checkpointer = StartCheckpointer(**log);
  if (!checkpointer.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(checkpointer.status().message()).c_str());
    return 1;
  }
  ledger::ServerOptions server_options;
  server_options.listen_address = absl::GetFlag(FLAGS_listen);
  server_options.checkpointer = checkpointer->get();
  auto server = ledger::LedgerServer::Start(log->get(), server_options);
  if (!server.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  const std::string host =
      server_options.listen_address.substr(0, server_options.listen_address.rfind(':'));
  std::fprintf(stderr, "ledgerd: ledger %s (%s) in %s, head %llu; sync=%s\n",
               (*log)->ledger_id().c_str(), (*log)->ledger_name().c_str(), dir.c_str(),
               static_cast<unsigned long long>((*log)->head_position()),
               options.sync ? "on" : "OFF");
  std::fprintf(stderr, "ledgerd listening on %s:%d\n", host.c_str(), (*server)->port());
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
  }

  if (pipe(stop_pipe) != 0) return 1;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  const uint64_t commit_logger = AddCommitLogger(**log);

  char c;
  while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR) {
  }
  std::fprintf(stderr, "ledgerd: stopping: draining calls in flight\n");
  (*server)->Stop(absl::Seconds(10));
  (*log)->RemoveCommitListener(commit_logger);
  StopCheckpointer(std::move(*checkpointer));
  const auto stats = (*log)->stats();
  const unsigned long long head = (*log)->head_position();
  log->reset();  // drains the writer queue, closes RocksDB
  std::fprintf(stderr,
               "ledgerd: stopped cleanly at head %llu (%llu commits, %llu events this run)\n", head,
               static_cast<unsigned long long>(stats.commits),
               static_cast<unsigned long long>(stats.events));
  return 0;
}
