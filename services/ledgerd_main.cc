// ledgerd: the Solidarity Ledger server.
//
//   ledgerd --private_key_file=FILE [--data_dir=./var/ledger] [--log_format=text|json]
//           [--metrics_listen=127.0.0.1:9464 [--metrics_port_file=FILE]]
//           [--listen=127.0.0.1:50051] [--sync=true] [--ledger_name=NAME]
//           [--port_file=FILE] [--admin_token_file=FILE] [--backup_root=DIR]
//           [--tls_cert=PEM --tls_key=PEM [--tls_client_ca=PEM]] [--max_connections=N]
//           [--checkpoint_key=FILE [--checkpoint_origin=ORIGIN]
//            [--checkpoint_interval_ms=2000] [--witness_keys=FILE]]
//
// Creates the ledger on first start, with a founding admin member whose
// token goes to --admin_token_file (default: <data_dir>.token, mode 0600,
// never over an existing file; a ledger that has no admin gets one the
// same way when it starts). The private key file (64 hex characters, mode
// 0600, kept outside the data directory; `ledgerctl key create FILE` makes
// one) seals the ledger's private details; without it, or with a wrong one,
// ledgerd refuses to start with one line saying why. Without TLS it listens
// on a loopback address only. With --checkpoint_key it signs a checkpoint of
// the log (C2SP tlog-checkpoint) every few seconds while the log grows and
// accepts the cosignatures of the witnesses in --witness_keys
// (docs/OPERATIONS.md, "Keys"). SIGTERM / SIGINT: stop accepting calls, drain
// the ones in flight, sign a last checkpoint, close the database cleanly. One
// log line per commit goes to stderr.
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ledger/crypto/keyring.h"
#include "ledger/crypto/tokens.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/status_macros.h"
#include "ledger/transparency/checkpoints.h"
#include "ledger/version.h"
#include "services/founder.h"
#include "services/metrics_http.h"
#include "services/server.h"
#include "services/telemetry.h"

ABSL_FLAG(std::string, data_dir, "./var/ledger", "RocksDB data directory of the ledger");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "address to serve gRPC on (port 0 = any free)");
ABSL_FLAG(bool, sync, true,
          "sync the WAL before acknowledging an append (turn off only for bulk imports)");
ABSL_FLAG(std::string, private_key_file, "",
          "the ledger's private key file (0600, outside the data directory): seals donors' "
          "and payees' details; required");
ABSL_FLAG(std::string, ledger_name, "Solidarity Ledger", "name of a newly created ledger");
ABSL_FLAG(std::string, port_file, "", "write the bound port number to this file once listening");
ABSL_FLAG(bool, recover_admin, false,
          "every admin token is lost: add a new admin member (admin-2, ...) with a token "
          "written to --admin_token_file (which must not exist), recorded in the log as done "
          "by ledgerd, then serve; whoever can start ledgerd on the data directory can do this");
ABSL_FLAG(std::string, admin_token_file, "",
          "where a new ledger's founding admin token is written (mode 0600, never over an "
          "existing file); default: the data directory's path with \".token\" added");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS certificate chain (PEM); with --tls_key, ledgerd serves TLS only. Without it "
          "ledgerd listens on a loopback address only");
ABSL_FLAG(std::string, tls_key, "", "the TLS certificate's private key (PEM, mode 0600)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "CA (PEM) that client certificates must chain to; set: every client presents one");
ABSL_FLAG(std::string, backup_root, "",
          "the directory online backups are written under (ledgerctl backup create NAME makes "
          "<backup_root>/NAME; clients name a directory, never a path); outside the data "
          "directory; default: the data directory's path with \".backups\" added");
ABSL_FLAG(int, append_events_per_second, ledger::kDefaultAppendEventsPerSecond,
          "events a second each member may append, sustained (a token bucket per member; "
          "beyond it RESOURCE_EXHAUSTED RATE_LIMITED with a retry-after); 0 = no limit");
ABSL_FLAG(int, append_burst_events, ledger::kDefaultAppendBurstEvents,
          "events a member may append at once before the rate applies (at least the largest "
          "Append, 1000)");
ABSL_FLAG(int, max_connections, 0,
          "connections open at once; beyond it a new one is closed as soon as it is accepted. "
          "0 = the smaller of 4096 and the file descriptor limit less 256");
ABSL_FLAG(int, max_queued_appends, static_cast<int>(ledger::kDefaultMaxQueuedAppends),
          "append requests that may wait for the writer before RESOURCE_EXHAUSTED");

ABSL_FLAG(std::string, log_format, "text",
          "\"text\" or \"json\": each commit and each refused call is one line on stderr, as "
          "text or as one JSON object (member, method, code, reason, field, duration; never a "
          "private detail or a refusal's message)");
ABSL_FLAG(std::string, metrics_listen, "",
          "serve Prometheus metrics (GET /metrics, plain HTTP) on this loopback host:port, e.g. "
          "127.0.0.1:9464 (port 0 = any free); empty = no metrics port");
ABSL_FLAG(std::string, metrics_port_file, "",
          "write the metrics port's number to this file once listening");

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

// --admin_token_file, or the data directory's path with ".token" added
// (./var/ledger -> ./var/ledger.token).
std::string TokenFilePath(std::string dir, const std::string& flag) {
  if (!flag.empty()) return flag;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".token";
}

// Raises the soft RLIMIT_NOFILE to the hard limit (each connection is a
// descriptor), and sets the connection cap from --max_connections or, when
// that is 0, from the limit (ledger/limits.h, kDefaultMaxConnections).
void RaiseFileLimit(ledger::ServerOptions& options) {
  struct rlimit limit {};
  rlim_t before = 0;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    before = limit.rlim_cur;
    if (limit.rlim_cur < limit.rlim_max) {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
    }
  }
  options.max_connections = absl::GetFlag(FLAGS_max_connections);
  if (options.max_connections <= 0) {
    const auto headroom = static_cast<rlim_t>(ledger::kConnectionHeadroomFds);
    const rlim_t room = limit.rlim_cur > headroom + 16 ? limit.rlim_cur - headroom : 16;
    options.max_connections =
        static_cast<int>(std::min<rlim_t>(room, ledger::kDefaultMaxConnections));
  }
  std::fprintf(stderr,
               "ledgerd: file descriptors: %llu (soft limit was %llu, hard limit %llu); %d kept "
               "in reserve for the ledger's own files; at most %d connections at once\n",
               static_cast<unsigned long long>(limit.rlim_cur),
               static_cast<unsigned long long>(before),
               static_cast<unsigned long long>(limit.rlim_max), ledger::kReservedFds,
               options.max_connections);
}

// --backup_root, or the data directory's path with ".backups" added
// (./var/ledger -> ./var/ledger.backups), made absolute. Empty (and one line
// why) when it lies inside the data directory.
std::string BackupRoot(const std::string& dir) {
  std::string root = absl::GetFlag(FLAGS_backup_root);
  if (root.empty()) {
    root = dir;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    root += ".backups";
  }
  std::error_code ec;
  const auto absolute = std::filesystem::weakly_canonical(std::filesystem::absolute(root, ec), ec);
  const auto data_path = std::filesystem::weakly_canonical(dir, ec);
  const auto rel = absolute.lexically_relative(data_path);
  if (!rel.empty() && *rel.begin() != "..") {
    std::fprintf(stderr, "ledgerd: --backup_root %s is inside the data directory %s\n",
                 root.c_str(), dir.c_str());
    return "";
  }
  return absolute.string();
}

// Writes the founder's token to a new file; false (and one line why) if the
// file exists or cannot be written.
bool WriteToken(const std::string& path, const ledger::Founding& founding) {
  absl::Status written = ledger::WriteNewTokenFile(path, founding.secret);
  if (!written.ok()) {
    std::fprintf(stderr,
                 "ledgerd: %s; a new admin token is written there: move the old file away "
                 "or give --admin_token_file\n",
                 std::string(written.message()).c_str());
  }
  return written.ok();
}

// The whole of a small file (a PEM); false if it cannot be read.
bool ReadWhole(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return !out->empty();
}

// --tls_cert, --tls_key, --tls_client_ca into `options`; and no plaintext
// beyond loopback. False (and one line why) when they do not fit.
bool ReadTls(ledger::ServerOptions& options) {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  const std::string client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  if (cert.empty() != key.empty()) {
    std::fprintf(stderr, "ledgerd: --tls_cert and --tls_key go together\n");
    return false;
  }
  if (cert.empty()) {
    if (!client_ca.empty()) {
      std::fprintf(stderr, "ledgerd: --tls_client_ca needs --tls_cert and --tls_key\n");
      return false;
    }
    if (!ledger::IsLoopbackAddress(options.listen_address)) {
      std::fprintf(stderr,
                   "ledgerd: refusing to listen on %s without TLS: tokens and books would cross "
                   "the network in the clear; give --tls_cert and --tls_key, or listen on "
                   "127.0.0.1\n",
                   options.listen_address.c_str());
      return false;
    }
    return true;
  }
  struct stat st {};
  if (stat(key.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    std::fprintf(stderr, "ledgerd: TLS key %s may be read by others than its owner; chmod 600 it\n",
                 key.c_str());
    return false;
  }
  for (const auto& [path, out] : {std::pair<std::string, std::string*>{cert, &options.tls_cert_pem},
                                  {key, &options.tls_key_pem},
                                  {client_ca, &options.tls_client_ca_pem}}) {
    if (path.empty()) continue;
    if (!ReadWhole(path, out)) {
      std::fprintf(stderr, "ledgerd: cannot read %s\n", path.c_str());
      return false;
    }
  }
  return true;
}

// The server's flags into `options`: where it listens (and TLS), the backup
// root, the append limit. False (and one line why) when they do not fit.
bool ReadServerFlags(const std::string& dir, ledger::ServerOptions& options) {
  options.listen_address = absl::GetFlag(FLAGS_listen);
  if (!ReadTls(options)) return false;
  options.backup_root = BackupRoot(dir);
  if (options.backup_root.empty()) return false;
  options.append_events_per_second = std::max(0, absl::GetFlag(FLAGS_append_events_per_second));
  options.append_burst_events = absl::GetFlag(FLAGS_append_burst_events);
  options.reserved_fds = ledger::kReservedFds;
  return true;
}

// The private key file into `options`; false (and one line why) when it is
// missing, unreadable, not a key, or inside the data directory.
bool ReadPrivateKey(const std::string& key_file, const std::string& dir,
                    ledger::EventLogOptions& options) {
  std::error_code ec;
  if (key_file.empty()) {
    std::fprintf(stderr,
                 "ledgerd: needs --private_key_file=FILE (make one with `ledgerctl key create "
                 "FILE`, kept outside the data directory)\n");
    return false;
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
      return false;
    }
  }
  auto key = ledger::ReadKeyFile(key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(key.status().message()).c_str());
    return false;
  }
  options.private_key = *std::move(key);
  return true;
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

// The metrics port the flags ask for (none without --metrics_listen):
// scrapes read `log`, `server` and `telemetry`, which outlive it.
absl::StatusOr<std::unique_ptr<ledger::MetricsHttpServer>> StartMetrics(
    const ledger::EventLog& log, const ledger::LedgerServer& server,
    const ledger::Telemetry& telemetry, const std::string& dir) {
  const std::string listen = absl::GetFlag(FLAGS_metrics_listen);
  if (listen.empty()) return nullptr;
  ASSIGN_OR_RETURN(
      std::unique_ptr<ledger::MetricsHttpServer> metrics,
      ledger::MetricsHttpServer::Start(listen, [l = &log, s = &server, t = &telemetry, dir] {
        return t->Render(ledger::ReadGauges(*l, dir, s->streams()));
      }));
  std::fprintf(stderr, "ledgerd: metrics on http://%s:%d/metrics\n",
               listen.substr(0, listen.rfind(':')).c_str(), metrics->port());
  return metrics;
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

// The port, written whole (a reader never sees half a number).
void WritePortFile(const std::string& path, int port) {
  std::error_code ec;
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::filesystem::rename(tmp, path, ec);
}

// Opens (or creates) the ledger, with an active admin: a new ledger's
// founding admin is in its genesis; a ledger without one gets one appended.
// Either way the token file is made first (and must not exist), so that no
// ledger gets an admin whose token is lost. nullptr (and one line why) on
// failure.
std::unique_ptr<ledger::EventLog> OpenWithAdmin(const std::string& dir,
                                                ledger::EventLogOptions& options) {
  std::error_code ec;
  const std::string token_file = TokenFilePath(dir, absl::GetFlag(FLAGS_admin_token_file));
  const bool creating = !std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec);
  std::optional<ledger::Founding> founding;
  if (creating) {
    founding = ledger::NewFounding();
    if (!WriteToken(token_file, *founding)) return nullptr;
    ledger::FoundWith(*founding, options);
  }
  auto log = ledger::EventLog::Open(dir, options);
  if (!log.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(log.status().message()).c_str());
    if (creating) std::filesystem::remove(token_file, ec);
    return nullptr;
  }
  if (!creating) {
    // A ledger made before members existed, or whose admins all left.
    auto has_admin = ledger::HasActiveAdmin(**log);
    if (!has_admin.ok()) {
      std::fprintf(stderr, "ledgerd: %s\n", std::string(has_admin.status().message()).c_str());
      return nullptr;
    }
    const bool recover = absl::GetFlag(FLAGS_recover_admin);
    if (!*has_admin || recover) {
      auto member_id = ledger::FreeFounderId(**log);
      if (!member_id.ok()) {
        std::fprintf(stderr, "ledgerd: %s\n", std::string(member_id.status().message()).c_str());
        return nullptr;
      }
      founding = ledger::NewFounding(*member_id);
      // The file first, as for a new ledger; removed again if the append fails.
      if (!WriteToken(token_file, *founding)) return nullptr;
      absl::Status appended =
          *has_admin ? ledger::AppendFounder(**log, *founding,
                                             "an admin added by ledgerd --recover_admin: the "
                                             "operator had lost every admin token")
                     : ledger::AppendFounder(**log, *founding);
      if (!appended.ok()) {
        std::fprintf(stderr, "ledgerd: adding a founding admin failed: %s\n",
                     std::string(appended.message()).c_str());
        std::filesystem::remove(token_file, ec);
        return nullptr;
      }
    }
  }
  if (founding) {
    std::fprintf(stderr,
                 "ledgerd: founding admin \"%s\" (every role); their token %s is in %s "
                 "(mode 0600): keep it safe, ledgerctl reads it from there\n",
                 founding->member.member_id().c_str(), founding->token.token_id().c_str(),
                 token_file.c_str());
  }
  return *std::move(log);
}

// The data directory at rest is its owner's alone: the directory 0700 and
// every file in it 0600 (a ledger made before this rule is tightened when
// ledgerd starts). New files get the same through the umask set in main.
void TightenDataDir(const std::string& dir) {
  namespace fs = std::filesystem;
  constexpr fs::perms kOthers = fs::perms::group_all | fs::perms::others_all;
  std::error_code ec;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::file_status st = it->symlink_status(ec);
    if (ec || fs::is_symlink(st)) continue;
    if ((st.permissions() & kOthers) != fs::perms::none) {
      fs::permissions(it->path(), kOthers, fs::perm_options::remove, ec);
    }
  }
}

// --version prints the version line; --help names each flag's source file
// by its name only, not by the path it was built from.
void ConfigureFlags() {
  absl::FlagsUsageConfig config;
  config.version_string = [] { return ledger::VersionLine("ledgerd") + "\n"; };
  config.normalize_filename = [](absl::string_view file) {
    const size_t slash = file.rfind('/');
    return std::string(slash == absl::string_view::npos ? file : file.substr(slash + 1));
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(
      "the Solidarity Ledger server: gRPC over an embedded RocksDB event log");
}

// Where it listens, one line each, once serving.
void LogListening(const ledger::EventLog& log, const ledger::ServerOptions& options,
                  const ledger::LedgerServer& server, const std::string& dir, bool sync) {
  const std::string host = options.listen_address.substr(0, options.listen_address.rfind(':'));
  std::fprintf(stderr, "ledgerd: ledger %s (%s) in %s, head %llu; sync=%s\n",
               log.ledger_id().c_str(), log.ledger_name().c_str(), dir.c_str(),
               static_cast<unsigned long long>(log.head_position()), sync ? "on" : "OFF");
  std::fprintf(stderr, "ledgerd listening on %s:%d%s\n", host.c_str(), server.port(),
               options.tls_cert_pem.empty()        ? " (plaintext, loopback)"
               : options.tls_client_ca_pem.empty() ? " (TLS)"
                                                   : " (TLS, client certificates)");
  std::fprintf(stderr, "ledgerd: backups go under %s\n", options.backup_root.c_str());
}

// --port_file and --metrics_port_file, those given.
void WritePortFiles(const ledger::LedgerServer& server, const ledger::MetricsHttpServer* metrics) {
  if (metrics != nullptr && !absl::GetFlag(FLAGS_metrics_port_file).empty()) {
    WritePortFile(absl::GetFlag(FLAGS_metrics_port_file), metrics->port());
  }
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    WritePortFile(absl::GetFlag(FLAGS_port_file), server.port());
  }
}

// Tells systemd (Type=notify) that ledgerd serves: only once the port is
// bound, the port file written and the metrics port up. Nothing happens
// without $NOTIFY_SOCKET (not started by systemd).
void NotifyReady(const ledger::EventLog& log, const ledger::LedgerServer& server) {
  sd_notifyf(0, "READY=1\nSTATUS=serving on port %d, head %llu\nMAINPID=%lu", server.port(),
             static_cast<unsigned long long>(log.head_position()),
             static_cast<unsigned long>(getpid()));
}

// Blocks until SIGTERM or SIGINT; false if the signals cannot be caught.
bool WaitForStop() {
  if (pipe(stop_pipe) != 0) return false;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  ConfigureFlags();
  absl::ParseCommandLine(argc, argv);
  // Everything ledgerd writes (tables, logs, backups, the port and token
  // files) is readable by its own user only.
  umask(077);
  auto log_format = ledger::ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  if (!log_format.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(log_format.status().message()).c_str());
    return 1;
  }
  ledger::Telemetry telemetry(*log_format);
  ledger::EventLogOptions options;
  options.sync = absl::GetFlag(FLAGS_sync);
  options.ledger_name = absl::GetFlag(FLAGS_ledger_name);
  options.max_queued_appends = static_cast<size_t>(absl::GetFlag(FLAGS_max_queued_appends));
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  std::error_code ec;
  // How it will listen, checked before anything is opened or created.
  ledger::ServerOptions server_options;
  if (!ReadServerFlags(dir, server_options)) return 1;
  if (!ReadPrivateKey(absl::GetFlag(FLAGS_private_key_file), dir, options)) return 1;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  std::unique_ptr<ledger::EventLog> log = OpenWithAdmin(dir, options);
  if (log == nullptr) return 1;
  TightenDataDir(dir);
  auto checkpointer = StartCheckpointer(*log);
  if (!checkpointer.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(checkpointer.status().message()).c_str());
    return 1;
  }
  server_options.checkpointer = checkpointer->get();
  server_options.telemetry = &telemetry;
  RaiseFileLimit(server_options);
  auto server = ledger::LedgerServer::Start(log.get(), server_options);
  if (!server.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  LogListening(*log, server_options, **server, dir, options.sync);
  auto metrics = StartMetrics(*log, **server, telemetry, dir);
  if (!metrics.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", std::string(metrics.status().message()).c_str());
    return 1;
  }
  WritePortFiles(**server, metrics->get());
  if (!WaitForStop()) return 1;
  const uint64_t commit_logger = log->AddCommitListener(
      [&telemetry](const ledger::CommitInfo& info) { telemetry.OnCommit(info); });
  NotifyReady(*log, **server);

  char c;
  while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR) {
  }
  sd_notify(0, "STOPPING=1\nSTATUS=stopping: draining calls in flight");
  std::fprintf(stderr, "ledgerd: stopping: draining calls in flight\n");
  (*server)->Stop(absl::Seconds(10));
  metrics->reset();
  log->RemoveCommitListener(commit_logger);
  StopCheckpointer(std::move(*checkpointer));
  const auto stats = log->stats();
  const unsigned long long head = log->head_position();
  log.reset();  // drains the writer queue, closes RocksDB
  std::fprintf(stderr,
               "ledgerd: stopped cleanly at head %llu (%llu commits, %llu events this run)\n", head,
               static_cast<unsigned long long>(stats.commits),
               static_cast<unsigned long long>(stats.events));
  return 0;
}
