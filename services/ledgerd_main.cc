// ledgerd: the Solidarity Ledger server.
//
//   ledgerd --private_key_file=FILE [--data_dir=./var/ledger]
//           [--listen=127.0.0.1:50051] [--sync=true] [--ledger_name=NAME]
//           [--port_file=FILE]
//
// Creates the ledger on first start. The private key file (64 hex
// characters, mode 0600, kept outside the data directory; `ledgerctl key
// create FILE` makes one) seals the ledger's private details; without it, or
// with a wrong one, ledgerd refuses to start with one line saying why. SIGTERM / SIGINT: stop
// accepting calls, drain the ones in flight, close the database cleanly. One log line per commit
// goes to stderr.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/crypto/keyring.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
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

namespace {

int stop_pipe[2] = {-1, -1};

void OnSignal(int) {
  const char c = 1;
  // Async-signal-safe wake-up of the main thread.
  ssize_t unused = write(stop_pipe[1], &c, 1);
  (void)unused;
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
  const std::string key_file = absl::GetFlag(FLAGS_private_key_file);
  std::error_code ec;
  if (key_file.empty()) {
    std::fprintf(stderr,
                 "ledgerd: needs --private_key_file=FILE (make one with `ledgerctl key create "
                 "FILE`, kept outside the data directory)\n");
    return 1;
  }
  {
    // A key inside the data directory would travel with every copy and
    // backup of the data, the very thing it protects.
    const auto key_path = std::filesystem::weakly_canonical(key_file, ec);
    const auto data_path = std::filesystem::weakly_canonical(dir, ec);
    const auto rel = key_path.lexically_relative(data_path);
    if (!rel.empty() && *rel.begin() != "..") {
      std::fprintf(stderr,
                   "ledgerd: the private key file %s is inside the data directory %s: keep it "
                   "elsewhere, so that no copy or backup of the data carries it\n",
                   key_file.c_str(), dir.c_str());
      return 1;
    }
  }
  auto key = ledger::ReadKeyFile(key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(key.status().message()).c_str());
    return 1;
  }
  options.private_key = *std::move(key);
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  auto log = ledger::EventLog::Open(dir, options);
  if (!log.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(log.status().message()).c_str());
    return 1;
  }
  ledger::ServerOptions server_options;
  server_options.listen_address = absl::GetFlag(FLAGS_listen);
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
    const std::string tmp = absl::GetFlag(FLAGS_port_file) + ".tmp";
    std::ofstream(tmp) << (*server)->port() << "\n";
    std::filesystem::rename(tmp, absl::GetFlag(FLAGS_port_file), ec);
  }

  if (pipe(stop_pipe) != 0) return 1;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  // One line per commit, told by the writer after each one.
  const uint64_t commit_logger = (*log)->AddCommitListener(
      [seen = (*log)->head_position()](const ledger::CommitInfo& info) mutable {
        if (!info.write_status.ok() || info.head_position <= seen) return;
        std::fprintf(stderr, "ledgerd: commit head=%llu hash=%s (+%llu events)\n",
                     static_cast<unsigned long long>(info.head_position),
                     ledger::ToHex(info.head_hash).substr(0, 16).c_str(),
                     static_cast<unsigned long long>(info.head_position - seen));
        seen = info.head_position;
      });

  char c;
  while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR) {
  }
  std::fprintf(stderr, "ledgerd: stopping: draining calls in flight\n");
  (*server)->Stop(absl::Seconds(10));
  (*log)->RemoveCommitListener(commit_logger);
  const auto stats = (*log)->stats();
  const unsigned long long head = (*log)->head_position();
  log->reset();  // drains the writer queue, closes RocksDB
  std::fprintf(stderr,
               "ledgerd: stopped cleanly at head %llu (%llu commits, %llu events this run)\n", head,
               static_cast<unsigned long long>(stats.commits),
               static_cast<unsigned long long>(stats.events));
  return 0;
}
