// crash_torture: kill -9 a real ledgerd at random moments under concurrent
// appends, many rounds, and check after every restart that nothing
// acknowledged was lost or doubled.
//
//   crash_torture --ledgerd=PATH [--rounds=6] [--seed=S] [--threads=4]
//                 [--min_run_ms=50] [--max_run_ms=1500] [--work_dir=DIR] [--keep]
//
// Each round: client threads append donations, allocations, disbursement
// requests, their approvals (by a second member, with a token of its own),
// rejections, cancellations and payments, refunds and batches of them over
// gRPC (event ids are unique per request).
// Some requests get a very short deadline; some retry after an indefinite
// answer (UNAVAILABLE, DEADLINE_EXCEEDED, ...) with the same event ids, even
// across the restart. At a random moment ledgerd is killed with SIGKILL (now
// and then with SIGTERM, which must stop it cleanly; now and then it is killed
// again while it recovers), restarted on the same data directory, and once
// every client has finished its request the ledger is checked:
//
//   * the head seen at the last check is still there with the same hash, and
//     the whole chain verifies (LedgerAudit.VerifyChain), so no old event
//     changed;
//   * the new events, read with ReadEvents, have dense positions, each event
//     id appears once, each belongs to a request a client sent, and holds
//     what the client sent;
//   * every acknowledged request is present exactly once, at the positions
//     its answer gave; a refused one is absent; one whose answer was lost
//     ("unknown", Jepsen's indefinite outcome) is present at most once; a
//     request is present wholly or not at all (atomic batches), its events
//     in order and contiguous;
//   * looking events up by id (GetEvent) agrees with the log;
//   * every projection equals a rebuild (RebuildProjections.match), the
//     trial balance is balanced in every currency, and every fund's balance
//     equals a model summed from the acknowledged and found-unknown events.
//
// At the end: a full re-read from position 1, a clean SIGTERM stop (exit 0),
// and an offline audit of the data directory (chain + rebuild, read-only).
//
// The seed fixes every random choice (operations, amounts, deadlines, kill
// times); thread interleaving still varies between runs. Every process it
// starts is killed when it fails, is interrupted, or dies (PR_SET_PDEATHSIG).
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <openssl/rand.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/audit/replay.h"
#include "ledger/crypto/tokens.h"
#include "ledger/hash.h"
#include "ledger/writer/event_log.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_util.h"

ABSL_FLAG(std::string, ledgerd, "", "path of the ledgerd binary (required)");
ABSL_FLAG(int, rounds, 6, "kill/restart rounds");
ABSL_FLAG(uint64_t, seed, 0, "random seed (0 = pick one and print it)");
ABSL_FLAG(int, threads, 4, "client threads");
ABSL_FLAG(int, min_run_ms, 50, "shortest time ledgerd runs under load before the kill");
ABSL_FLAG(int, max_run_ms, 1500, "longest time ledgerd runs under load before the kill");
ABSL_FLAG(std::string, work_dir, "", "directory for the ledger and logs (default: a new temp dir)");
ABSL_FLAG(bool, keep, false, "keep the work directory after a successful run");
ABSL_FLAG(int, max_seconds, 0, "fail if the run takes longer (0 = 60 + 30 per round)");

namespace {

namespace v1 = ::solidarity::ledger::v1;
using ledger::testing::Allocation;
using ledger::testing::Disbursement;
using ledger::testing::Donation;
using ledger::testing::Of;
using ledger::testing::WithId;

constexpr int kBeneficiaries = 4;
const char* const kCurrencies[] = {"GBP", "EUR"};

// ------------------------------------------------------------------ process

std::atomic<pid_t> g_child{-1};
std::string g_work_dir;
std::string g_log_path;
std::string g_key_path;  // the ledger's private key file
uint64_t g_seed = 0;
std::atomic<int> g_round{0};
std::atomic<bool> g_failed{false};

std::string TailOfLog(int lines) {
  std::ifstream in(g_log_path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0; i < all.size();
       ++i) {
    absl::StrAppend(&out, "    ", all[i], "\n");
  }
  return out;
}

void KillChild() {
  const pid_t pid = g_child.exchange(-1);
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

// Reports a failure, kills ledgerd and exits (from any thread).
[[noreturn]] void Fail(const std::string& what) {
  if (g_failed.exchange(true)) {
    // Another thread is already failing; wait for it to exit.
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::fprintf(stderr, "\ncrash_torture: FAILED in round %d: %s\n", g_round.load(), what.c_str());
  std::fprintf(stderr, "crash_torture: seed=%llu; data and ledgerd.log kept in %s\n",
               static_cast<unsigned long long>(g_seed), g_work_dir.c_str());
  std::fprintf(stderr, "crash_torture: last lines of ledgerd.log:\n%s", TailOfLog(15).c_str());
  std::fflush(stderr);
  KillChild();
  std::_Exit(1);
}

void OnSignal(int sig) {
  const pid_t pid = g_child.load();
  if (pid > 0) kill(pid, SIGKILL);
  const char msg[] = "crash_torture: interrupted; ledgerd killed\n";
  ssize_t unused = write(2, msg, sizeof(msg) - 1);
  (void)unused;
  _exit(128 + sig);
}

struct Ledgerd {
  pid_t pid = -1;
  int port = 0;
};

// Starts ledgerd on the data directory; returns once it has forked (does not
// wait for the port).
pid_t Spawn(const std::string& ledgerd, const std::string& data_dir, const std::string& port_file) {
  std::filesystem::remove(port_file);
  std::vector<std::string> args = {
      ledgerd, "--data_dir=" + data_dir, "--private_key_file=" + g_key_path, "--sync=true",
      "--listen=127.0.0.1:0", "--port_file=" + port_file, "--ledger_name=Crash Torture",
      // Appends as fast as the writer takes them.
      "--append_events_per_second=0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) Fail(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    const int fd = open(g_log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  g_child = pid;
  return pid;
}

// Waits for the port file; fails if ledgerd exits or takes over 30 s.
int WaitForPort(pid_t pid, const std::string& port_file) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) return port;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      g_child = -1;
      Fail(absl::StrCat("ledgerd exited while starting (status ", status, ")"));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  Fail("ledgerd did not write its port within 30 s");
}

// Kills with `sig` and reaps. SIGKILL must kill; SIGTERM must exit 0.
void Stop(pid_t pid, int sig) {
  kill(pid, sig);
  const absl::Time deadline = absl::Now() + absl::Seconds(sig == SIGKILL ? 10 : 30);
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (absl::Now() > deadline)
      Fail(absl::StrCat("ledgerd did not stop within the deadline after signal ", sig));
    absl::SleepFor(absl::Milliseconds(5));
  }
  g_child = -1;
  if (sig == SIGKILL) {
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
      Fail(absl::StrCat("ledgerd ended before SIGKILL reached it (status ", status, ")"));
    }
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Fail(absl::StrCat("ledgerd did not stop cleanly on SIGTERM (status ", status, ")"));
  }
}

// ------------------------------------------------------------------ connection

struct Conn {
  int incarnation = 0;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::LedgerCommands::Stub> commands;
  std::unique_ptr<v1::LedgerQueries::Stub> queries;
  std::unique_ptr<v1::LedgerAudit::Stub> audit;
};

absl::Mutex g_conn_mu;
std::shared_ptr<Conn> g_conn ABSL_GUARDED_BY(g_conn_mu);

std::shared_ptr<Conn> Current() {
  absl::MutexLock lock(&g_conn_mu);
  return g_conn;
}

void Publish(std::shared_ptr<Conn> c) {
  absl::MutexLock lock(&g_conn_mu);
  g_conn = std::move(c);
}

std::shared_ptr<Conn> Connect(int port, int incarnation) {
  auto c = std::make_shared<Conn>();
  c->incarnation = incarnation;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  c->channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                         grpc::InsecureChannelCredentials(), args);
  if (!c->channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20))) {
    Fail(absl::StrCat("cannot connect to ledgerd on port ", port));
  }
  c->commands = v1::LedgerCommands::NewStub(c->channel);
  c->queries = v1::LedgerQueries::NewStub(c->channel);
  c->audit = v1::LedgerAudit::NewStub(c->channel);
  return c;
}

// "Bearer <hex>" of the founding admin's token, which ledgerd wrote beside
// the data directory when it created the ledger; every call carries it.
absl::Mutex g_bearer_mu;
std::string g_bearer ABSL_GUARDED_BY(g_bearer_mu);

// A second member, an approver (two to sign): its token, made by the
// torture and issued in the set-up request.
std::string g_approver_bearer ABSL_GUARDED_BY(g_bearer_mu);

void LoadBearer(const std::string& data_dir) {
  absl::MutexLock lock(&g_bearer_mu);
  if (!g_bearer.empty()) return;
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(data_dir + ".token");
  if (!token.ok()) Fail(std::string(token.status().message()));
  g_bearer = absl::StrCat("Bearer ", ledger::ToHex(*token));
}

// The set-up's second member: "approver" with a fresh token.
void AddApprover(v1::AppendRequest& setup) {
  std::string token(ledger::kBearerTokenSize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(token.data()), static_cast<int>(token.size())) !=
      1) {
    Fail("RAND_bytes");
  }
  const std::string today = "2026-03-01";  // the day of every torture event
  v1::EventInput member;
  member.set_event_id("member-approver");
  member.set_occurred_on(today);
  auto* m = member.mutable_body()->mutable_member_added();
  m->set_member_id("approver");
  m->add_roles(v1::ROLE_APPROVER);
  *setup.add_events() = member;
  v1::EventInput issued;
  issued.set_event_id("token-approver");
  issued.set_occurred_on(today);
  auto* t = issued.mutable_body()->mutable_token_issued();
  t->set_token_id("approver-1");
  t->set_member_id("approver");
  t->set_token_hash(ledger::BearerTokenHash(token));
  *setup.add_events() = issued;
  absl::MutexLock lock(&g_bearer_mu);
  g_approver_bearer = absl::StrCat("Bearer ", ledger::ToHex(token));
}

void SetDeadline(grpc::ClientContext& ctx, absl::Duration d, bool as_approver = false) {
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + d));
  absl::MutexLock lock(&g_bearer_mu);
  const std::string& bearer = as_approver ? g_approver_bearer : g_bearer;
  if (!bearer.empty()) ctx.AddMetadata("authorization", bearer);
}

// ------------------------------------------------------------------ requests

enum class Outcome { kPending, kAcked, kRefused, kUnknown };

struct Req {
  v1::AppendRequest request;
  bool retry = false;           // retries after an indefinite answer
  bool short_deadline = false;  // first attempt with a 1-30 ms deadline
  bool as_approver = false;     // sent with the approver's token
  int short_deadline_ms = 0;
  Outcome outcome = Outcome::kPending;
  bool any_indefinite = false;
  int attempts = 0;
  int last_incarnation = 0;         // of the last attempt sent
  std::vector<uint64_t> positions;  // from the acknowledgement
  bool deduplicated = false;
  std::string last_error;
  bool resolved = false;  // checked against the log (final)
  bool present = false;
};

bool Definite(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return true;
    default:
      return false;
  }
}

// Round control shared by the main thread and the clients.
absl::Mutex g_mu;
bool g_running ABSL_GUARDED_BY(g_mu) = false;  // clients may start new requests
bool g_exit ABSL_GUARDED_BY(g_mu) = false;
int g_busy ABSL_GUARDED_BY(g_mu) = 0;                                // clients inside a request
std::vector<std::unique_ptr<Req>> g_finished ABSL_GUARDED_BY(g_mu);  // not yet taken by the checker

// Sends `r` until it has an outcome.
void Execute(Req& r, std::mt19937_64& rng) {
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  for (;;) {
    std::shared_ptr<Conn> c = Current();
    if (!c) {  // between a kill and the restart: nothing to send to
      if (!r.retry || absl::Now() > give_up) {
        r.outcome = r.attempts == 0 ? Outcome::kRefused : Outcome::kUnknown;
        if (r.attempts == 0) r.last_error = "never sent: no server";
        return;
      }
      absl::SleepFor(absl::Milliseconds(10));
      continue;
    }
    grpc::ClientContext ctx;
    const bool short_one = r.short_deadline && r.attempts == 0;
    SetDeadline(ctx, short_one ? absl::Milliseconds(r.short_deadline_ms) : absl::Seconds(5),
                r.as_approver);
    v1::AppendResponse resp;
    const grpc::Status s = c->commands->Append(&ctx, r.request, &resp);
    r.attempts++;
    r.last_incarnation = c->incarnation;
    if (s.ok()) {
      r.outcome = Outcome::kAcked;
      r.positions.assign(resp.positions().begin(), resp.positions().end());
      r.deduplicated = resp.deduplicated();
      if (r.positions.size() != static_cast<size_t>(r.request.events_size())) {
        Fail(absl::StrCat("acknowledgement of ", r.request.events(0).event_id(), " has ",
                          r.positions.size(), " positions for ", r.request.events_size(),
                          " events"));
      }
      return;
    }
    r.last_error = absl::StrCat(s.error_code(), " ", s.error_message());
    if (Definite(s.error_code())) {
      if (s.error_code() != grpc::StatusCode::FAILED_PRECONDITION &&
          s.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) {
        // The torture only sends valid, never-reused requests.
        Fail(absl::StrCat("unexpected refusal of ", r.request.events(0).event_id(), ": ",
                          r.last_error));
      }
      r.outcome = r.any_indefinite ? Outcome::kUnknown : Outcome::kRefused;
      return;
    }
    r.any_indefinite = true;
    if (!r.retry || absl::Now() > give_up) {
      r.outcome = Outcome::kUnknown;
      return;
    }
    absl::SleepFor(absl::Milliseconds(5 + rng() % 40));
  }
}

// Per-thread memory of acknowledged donations that may be refunded, and of
// acknowledged disbursement requests waiting for an approval and approved
// ones waiting for payment (each acted on once, by this thread only).
struct ClientState {
  std::vector<std::string> refundable;
  std::vector<v1::DisbursementRequested> requested;
  std::vector<v1::DisbursementRequested> approved;
  std::map<std::string, v1::DisbursementRequested> approving;  // sent, by request id
  uint64_t seq = 0;
};

// Takes a random element of `v` out of it.
v1::DisbursementRequested TakeOne(std::vector<v1::DisbursementRequested>& v, std::mt19937_64& rng) {
  const size_t k = rng() % v.size();
  v1::DisbursementRequested out = v[k];
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(k));
  return out;
}

// Two to sign: an approval or a rejection (by the approver) of a pending
// request, or a payment or cancellation (by the founder) of an approved one.
bool MakeSigning(Req& r, ClientState& st, std::mt19937_64& rng, const std::string& id) {
  v1::EventInput in;
  in.set_event_id(id);
  in.set_occurred_on("2026-03-01");  // the day of every torture event
  if (!st.approved.empty() && rng() % 2 == 0) {
    const v1::DisbursementRequested q = TakeOne(st.approved, rng);
    if (rng() % 8 == 0) {
      auto* e = in.mutable_body()->mutable_disbursement_cancelled();
      e->set_request_id(q.request_id());
      e->set_reason("no longer needed");
      e->set_beneficiary_id(q.beneficiary_id());
      *e->mutable_amount() = q.amount();
    } else {
      auto* e = in.mutable_body()->mutable_disbursement_made();
      e->set_request_id(q.request_id());
      e->set_beneficiary_id(q.beneficiary_id());
      *e->mutable_amount() = q.amount();
    }
  } else if (!st.requested.empty()) {
    const v1::DisbursementRequested q = TakeOne(st.requested, rng);
    r.as_approver = true;
    if (rng() % 6 == 0) {
      auto* e = in.mutable_body()->mutable_disbursement_rejected();
      e->set_request_id(q.request_id());
      e->set_reason("not agreed");
      e->set_beneficiary_id(q.beneficiary_id());
      *e->mutable_amount() = q.amount();
    } else {
      in.mutable_body()->mutable_disbursement_approved()->set_request_id(q.request_id());
      st.approving[q.request_id()] = q;
    }
  } else {
    return false;
  }
  *r.request.add_events() = std::move(in);
  return true;
}

v1::EventInput RandomMoneyEvent(std::mt19937_64& rng, const std::string& id) {
  const std::string cur = kCurrencies[rng() % 10 < 7 ? 0 : 1];
  const std::string ben = absl::StrCat("b", rng() % kBeneficiaries);
  // One allocation or disbursement in 20 asks for far more than any fund
  // holds: it, and any batch holding it, must be refused and leave no trace.
  const bool overdraw = rng() % 20 == 0;
  const int64_t huge = 1'000'000'000'000;
  switch (rng() % 4) {
    case 0:
      return WithId(Donation(Of(100 + rng() % 20000, cur), rng() % 2 ? ben : ""), id);
    case 1:
      return WithId(Allocation(ben, Of(overdraw ? huge : 100 + rng() % 8000, cur)), id);
    case 2: {
      // Restricted money moves to another fund (or, one in three, to the
      // general fund) with the donors' consent.
      const std::string to =
          rng() % 3 == 0
              ? ""
              : absl::StrCat("b", (rng() % (kBeneficiaries - 1) + 1 + std::stoul(ben.substr(1))) %
                                      kBeneficiaries);
      return WithId(
          ledger::testing::Transfer(ben, to, Of(overdraw ? huge : 100 + rng() % 4000, cur)), id);
    }
    default:
      // A payment is asked for (it commits the money); approved and paid
      // later (MakeSigning).
      return WithId(
          ledger::testing::PaymentRequest(id, ben, Of(overdraw ? huge : 100 + rng() % 6000, cur)),
          id);
  }
}

std::unique_ptr<Req> MakeRequest(int thread, ClientState& st, std::mt19937_64& rng) {
  auto r = std::make_unique<Req>();
  const std::string base = absl::StrCat("t", thread, "-", st.seq++);
  const int dice = static_cast<int>(rng() % 100);
  if (dice < 20) {
    // A batch of 2-6 money events, accepted or refused as a whole.
    const int n = 2 + static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i)
      *r->request.add_events() = RandomMoneyEvent(rng, absl::StrCat(base, "-", i));
  } else if (dice >= 25 && dice < 45 && MakeSigning(*r, st, rng, base)) {
    // (added by MakeSigning)
  } else if (dice < 25 && !st.refundable.empty()) {
    // A whole refund of one of this client's acknowledged donations (never
    // two refunds of the same one).
    const size_t k = rng() % st.refundable.size();
    v1::EventInput in = ledger::testing::Reversal(st.refundable[k], v1::REVERSAL_KIND_REFUND);
    st.refundable.erase(st.refundable.begin() + k);
    *r->request.add_events() = WithId(in, base);
  } else {
    *r->request.add_events() = RandomMoneyEvent(rng, base);
  }
  r->retry = rng() % 100 < 60;
  r->short_deadline = rng() % 100 < 8;
  r->short_deadline_ms = 1 + static_cast<int>(rng() % 30);
  return r;
}

void ClientLoop(int thread, uint64_t seed) {
  std::mt19937_64 rng(seed * 1000003 + thread);
  ClientState st;
  for (;;) {
    {
      absl::MutexLock lock(&g_mu);
      auto ready = []() ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_mu) { return g_running || g_exit; };
      g_mu.Await(absl::Condition(&ready));
      if (g_exit) return;
      g_busy++;
    }
    std::unique_ptr<Req> r = MakeRequest(thread, st, rng);
    Execute(*r, rng);
    const v1::EventBody& b = r->request.events(0).body();
    if (r->outcome == Outcome::kAcked && r->request.events_size() == 1) {
      if (b.has_donation_received()) st.refundable.push_back(r->request.events(0).event_id());
      if (b.has_disbursement_requested()) st.requested.push_back(b.disbursement_requested());
      if (b.has_disbursement_approved()) {
        st.approved.push_back(st.approving.at(b.disbursement_approved().request_id()));
      }
    }
    // An approval not acknowledged leaves its request alone from then on.
    if (b.has_disbursement_approved()) st.approving.erase(b.disbursement_approved().request_id());
    absl::MutexLock lock(&g_mu);
    g_finished.push_back(std::move(r));
    g_busy--;
  }
}

// ------------------------------------------------------------------ checker

struct Stats {
  int rounds = 0;
  int sigkills = 0;
  int sigterms = 0;
  int recovery_kills = 0;
  uint64_t requests = 0;
  uint64_t acked_requests = 0;
  uint64_t acked_events = 0;
  uint64_t acked_after_retry_dedup = 0;  // acknowledged as "already recorded" on a retry
  uint64_t refused_requests = 0;
  uint64_t unknown_found = 0;
  uint64_t unknown_absent = 0;
  uint64_t lookups = 0;
  uint64_t events_in_log = 0;
};

class Checker {
 public:
  explicit Checker(std::string ledger_id) : ledger_id_(std::move(ledger_id)) {}

  // Takes the requests the clients finished.
  void Collect() {
    absl::MutexLock lock(&g_mu);
    for (auto& r : g_finished) {
      for (const auto& in : r->request.events()) inputs_[in.event_id()] = in;
      stats_.requests++;
      open_.push_back(r.get());
      all_.push_back(std::move(r));
    }
    g_finished.clear();
  }

  // Checks the ledger served by `c` (incarnation `c->incarnation`).
  void Check(Conn& c) {
    for (int attempt = 0;; ++attempt) {
      if (CheckOnce(c)) return;
      if (attempt == 10) Fail("the head kept moving while the clients were idle");
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  // Re-reads the whole log from position 1 and checks every request again.
  void FinalFullCheck(Conn& c) {
    std::unordered_map<std::string, uint64_t> seen;
    const v1::Head head = GetHead(c);
    uint64_t expected = 1;
    while (expected <= head.position()) {
      v1::ReadEventsResponse page = ReadEvents(c, expected);
      for (const v1::Event& e : page.events()) {
        if (e.position() > head.position()) break;
        if (e.position() != expected)
          Fail(absl::StrCat("final read: expected position ", expected, ", got ", e.position()));
        if (!seen.emplace(e.event_id(), e.position()).second)
          Fail(absl::StrCat("final read: ", e.event_id(), " twice"));
        ++expected;
      }
    }
    if (seen != present_) Fail("final full read differs from the incremental reads");
    for (const auto& r : all_) {
      if (r->outcome != Outcome::kAcked) continue;
      for (int i = 0; i < r->request.events_size(); ++i) {
        auto it = seen.find(r->request.events(i).event_id());
        if (it == seen.end() || it->second != r->positions[i]) {
          Fail(absl::StrCat("final read: acknowledged ", r->request.events(i).event_id(),
                            " missing or moved"));
        }
      }
    }
  }

  const Stats& stats() const { return stats_; }
  Stats& mutable_stats() { return stats_; }
  uint64_t head() const { return verified_head_; }
  size_t unresolved() const { return open_.size(); }
  const std::string& head_hash() const { return verified_hash_; }

 private:
  v1::Head GetHead(Conn& c) {
    grpc::ClientContext ctx;
    SetDeadline(ctx, absl::Seconds(30));
    v1::GetHeadResponse r;
    const grpc::Status s = c.audit->GetHead(&ctx, v1::GetHeadRequest(), &r);
    if (!s.ok()) Fail(absl::StrCat("GetHead: ", s.error_message()));
    if (r.ledger_id() != ledger_id_)
      Fail(absl::StrCat("talking to another ledger: ", r.ledger_id()));
    return r.head();
  }

  v1::ReadEventsResponse ReadEvents(Conn& c, uint64_t from) {
    grpc::ClientContext ctx;
    SetDeadline(ctx, absl::Seconds(30));
    v1::ReadEventsRequest req;
    req.set_from_position(from);
    req.set_limit(1000);
    v1::ReadEventsResponse r;
    const grpc::Status s = c.audit->ReadEvents(&ctx, req, &r);
    if (!s.ok()) Fail(absl::StrCat("ReadEvents from ", from, ": ", s.error_message()));
    if (r.events_size() == 0)
      Fail(absl::StrCat("ReadEvents from ", from, " returned nothing (head ", r.head().position(),
                        ")"));
    return r;
  }

  // One pass; false when the head moved under it (a late unknown append).
  bool CheckOnce(Conn& c) {
    const v1::Head head = GetHead(c);
    const uint64_t h = head.position();
    if (h < verified_head_)
      Fail(absl::StrCat("the head went back from ", verified_head_, " to ", h));

    // 1. Nothing old changed: the event at the last verified head still has
    //    its hash, and the whole chain verifies.
    if (verified_head_ > 0) {
      grpc::ClientContext ctx;
      SetDeadline(ctx, absl::Seconds(30));
      v1::GetEventRequest req;
      req.set_position(verified_head_);
      v1::GetEventResponse resp;
      const grpc::Status s = c.audit->GetEvent(&ctx, req, &resp);
      if (!s.ok()) Fail(absl::StrCat("GetEvent(", verified_head_, "): ", s.error_message()));
      if (resp.event().hash() != verified_hash_) {
        Fail(
            absl::StrCat("the event at the previously verified head ", verified_head_, " changed"));
      }
    }
    {
      grpc::ClientContext ctx;
      SetDeadline(ctx, absl::Seconds(120));
      v1::VerifyChainResponse resp;
      const grpc::Status s = c.audit->VerifyChain(&ctx, v1::VerifyChainRequest(), &resp);
      if (!s.ok()) Fail(absl::StrCat("VerifyChain: ", s.error_message()));
      if (resp.verified_head().position() != h) return false;
      if (!resp.ok()) {
        Fail(absl::StrCat("chain broken at position ", resp.first_bad_position(), ": ",
                          resp.problem()));
      }
      if (resp.events_checked() != h)
        Fail(absl::StrCat("VerifyChain checked ", resp.events_checked(), " of ", h));
    }

    // 2. The new events: dense, once each, known, as sent.
    while (scanned_ < h) {
      v1::ReadEventsResponse page = ReadEvents(c, scanned_ + 1);
      for (const v1::Event& e : page.events()) {
        if (e.position() > h) break;
        if (e.position() != scanned_ + 1) {
          Fail(
              absl::StrCat("positions not dense: expected ", scanned_ + 1, ", got ", e.position()));
        }
        const std::string& id = e.event_id();
        auto [it, inserted] = present_.emplace(id, e.position());
        if (!inserted) {
          Fail(absl::StrCat("event ", id, " recorded twice: positions ", it->second, " and ",
                            e.position()));
        }
        if (id != "genesis") {
          auto in = inputs_.find(id);
          if (in == inputs_.end())
            Fail(absl::StrCat("event ", id, " at ", e.position(), " was never sent"));
          if (!google::protobuf::util::MessageDifferencer::Equals(e.body(), in->second.body()) ||
              e.occurred_on() != in->second.occurred_on() || e.memo() != in->second.memo()) {
            Fail(absl::StrCat("event ", id, " at ", e.position(), " differs from what was sent"));
          }
        }
        scanned_ = e.position();
      }
    }

    // 3. Every open request against the log.
    std::vector<Req*> still_open;
    std::vector<Req*> to_look_up;
    for (Req* r : open_) {
      const int n = r->request.events_size();
      int found = 0;
      std::vector<uint64_t> at;
      for (const auto& in : r->request.events()) {
        auto it = present_.find(in.event_id());
        if (it != present_.end()) {
          ++found;
          at.push_back(it->second);
        }
      }
      const std::string first = r->request.events(0).event_id();
      if (found != 0 && found != n) {
        Fail(absl::StrCat("request ", first, " is partly recorded: ", found, " of ", n, " events"));
      }
      for (int i = 1; i < found; ++i) {
        if (at[i] != at[i - 1] + 1)
          Fail(absl::StrCat("request ", first, " is not contiguous in the log"));
      }
      switch (r->outcome) {
        case Outcome::kAcked:
          if (found != n)
            Fail(absl::StrCat("acknowledged request ", first, " is missing (", r->last_error, ")"));
          if (at != r->positions) {
            Fail(absl::StrCat("acknowledged request ", first, " is at ", at[0],
                              ", its answer said ", r->positions[0]));
          }
          stats_.acked_requests++;
          stats_.acked_events += n;
          if (r->deduplicated) stats_.acked_after_retry_dedup++;
          Resolve(r, true);
          break;
        case Outcome::kRefused:
          if (found != 0)
            Fail(absl::StrCat("refused request ", first, " is in the log (", r->last_error, ")"));
          stats_.refused_requests++;
          Resolve(r, false);
          break;
        case Outcome::kUnknown:
          if (found == n) {
            stats_.unknown_found++;
            Resolve(r, true);
          } else if (r->last_incarnation < c.incarnation) {
            // Its last attempt went to a ledgerd that is gone: final.
            stats_.unknown_absent++;
            Resolve(r, false);
          } else {
            still_open.push_back(r);  // could still commit on this ledgerd
            continue;
          }
          break;
        case Outcome::kPending:
          Fail("a request without an outcome reached the checker");
      }
      if (to_look_up.size() < 1000) to_look_up.push_back(r);
    }
    open_ = std::move(still_open);

    // 4. Lookups by event id (the id index) agree with the log: the last
    //    event of each request settled now (up to 1000 a round).
    for (Req* r : to_look_up) {
      const std::string& id = r->request.events(r->request.events_size() - 1).event_id();
      grpc::ClientContext ctx;
      SetDeadline(ctx, absl::Seconds(30));
      v1::GetEventRequest req;
      req.set_event_id(id);
      v1::GetEventResponse resp;
      const grpc::Status s = c.audit->GetEvent(&ctx, req, &resp);
      stats_.lookups++;
      auto it = present_.find(id);
      if (it == present_.end()) {
        if (s.error_code() != grpc::StatusCode::NOT_FOUND) {
          Fail(absl::StrCat("GetEvent(", id, ") of an absent event: ", s.error_code(), " ",
                            s.error_message()));
        }
      } else if (!s.ok() || resp.event().position() != it->second) {
        Fail(absl::StrCat("GetEvent(", id, ") disagrees with the log: ", s.error_message()));
      }
    }

    // 5. Projections: rebuild, trial balance, funds against the model.
    {
      grpc::ClientContext ctx;
      SetDeadline(ctx, absl::Seconds(120));
      v1::RebuildProjectionsResponse resp;
      const grpc::Status s =
          c.audit->RebuildProjections(&ctx, v1::RebuildProjectionsRequest(), &resp);
      if (!s.ok()) Fail(absl::StrCat("RebuildProjections: ", s.error_message()));
      if (resp.as_of().position() != h) return false;
      if (!resp.match()) {
        std::string what = "projections differ from a rebuild";
        if (resp.mismatches_size() > 0) {
          absl::StrAppend(&what, ": ", resp.mismatches(0).key(), " stored ",
                          resp.mismatches(0).stored(), " rebuilt ", resp.mismatches(0).rebuilt());
        }
        Fail(what);
      }
    }
    {
      grpc::ClientContext ctx;
      SetDeadline(ctx, absl::Seconds(30));
      v1::GetTrialBalanceResponse tb;
      const grpc::Status s = c.queries->GetTrialBalance(&ctx, v1::GetTrialBalanceRequest(), &tb);
      if (!s.ok()) Fail(absl::StrCat("GetTrialBalance: ", s.error_message()));
      if (tb.as_of().position() != h) return false;
      if (!tb.balanced()) Fail("trial balance not balanced");
      for (const auto& t : tb.totals()) {
        if (t.debits_minor() != t.credits_minor()) {
          Fail(absl::StrCat("trial balance ", t.currency(), ": debits ", t.debits_minor(),
                            " credits ", t.credits_minor()));
        }
      }
    }
    std::map<std::pair<std::string, std::string>, int64_t> actual;
    {
      grpc::ClientContext ctx;
      SetDeadline(ctx, absl::Seconds(30));
      v1::GetSummaryResponse sum;
      const grpc::Status s = c.queries->GetSummary(&ctx, v1::GetSummaryRequest(), &sum);
      if (!s.ok()) Fail(absl::StrCat("GetSummary: ", s.error_message()));
      if (sum.as_of().position() != h) return false;
      for (const auto& f : sum.general_fund())
        actual[{"general", f.currency()}] = f.available_minor();
    }
    {
      grpc::ClientContext ctx;
      SetDeadline(ctx, absl::Seconds(30));
      v1::ListBeneficiariesRequest req;
      req.set_include_closed(true);
      v1::ListBeneficiariesResponse list;
      const grpc::Status s = c.queries->ListBeneficiaries(&ctx, req, &list);
      if (!s.ok()) Fail(absl::StrCat("ListBeneficiaries: ", s.error_message()));
      if (list.as_of().position() != h) return false;
      for (const auto& b : list.beneficiaries()) {
        for (const auto& f : b.balances()) {
          actual[{"beneficiary/" + b.beneficiary().beneficiary_id(), f.currency()}] =
              f.available_minor();
        }
      }
    }
    for (const auto& [key, value] : actual) {
      if (value < 0)
        Fail(absl::StrCat("fund ", key.first, " ", key.second, " is negative: ", value));
    }
    std::set<std::pair<std::string, std::string>> keys;
    for (const auto& [k, v] : actual) keys.insert(k);
    for (const auto& [k, v] : model_) keys.insert(k);
    for (const auto& k : keys) {
      const int64_t want = model_.count(k) ? model_.at(k) : 0;
      const int64_t got = actual.count(k) ? actual.at(k) : 0;
      if (want != got) {
        Fail(absl::StrCat("fund ", k.first, " ", k.second, " holds ", got,
                          "; the acknowledged and found-unknown events give ", want));
      }
    }
    verified_head_ = h;
    verified_hash_ = head.hash();
    stats_.events_in_log = h;
    return true;
  }

  void Resolve(Req* r, bool present) {
    r->resolved = true;
    r->present = present;
    if (!present) return;
    for (const auto& in : r->request.events()) ApplyToModel(in);
  }

  void AddTo(const std::string& fund, const v1::Money& m, int64_t sign) {
    model_[{fund, m.currency()}] += sign * m.amount_minor();
  }

  static std::string FundOf(const std::string& beneficiary) {
    return beneficiary.empty() ? "general" : "beneficiary/" + beneficiary;
  }

  void ApplyToModel(const v1::EventInput& in) {
    const v1::EventBody& b = in.body();
    if (b.has_donation_received()) {
      AddTo(FundOf(b.donation_received().earmark_beneficiary_id()), b.donation_received().amount(),
            +1);
    } else if (b.has_funds_allocated()) {
      AddTo("general", b.funds_allocated().amount(), -1);
      AddTo(FundOf(b.funds_allocated().beneficiary_id()), b.funds_allocated().amount(), +1);
    } else if (b.has_funds_transferred()) {
      const auto& t = b.funds_transferred();
      AddTo(FundOf(t.from_beneficiary_id()), t.amount(), -1);
      AddTo(FundOf(t.to_beneficiary_id()), t.amount(), +1);
    } else if (b.has_disbursement_requested()) {
      // Committed: no longer available.
      const auto& q = b.disbursement_requested();
      AddTo(FundOf(q.beneficiary_id()), q.amount(), -1);
    } else if (b.has_disbursement_rejected()) {
      AddTo(FundOf(b.disbursement_rejected().beneficiary_id()), b.disbursement_rejected().amount(),
            +1);
    } else if (b.has_disbursement_cancelled()) {
      AddTo(FundOf(b.disbursement_cancelled().beneficiary_id()),
            b.disbursement_cancelled().amount(), +1);
    } else if (b.has_disbursement_made()) {
      // A payment of a request: what it committed is released as it leaves.
      if (b.disbursement_made().request_id().empty()) {
        AddTo(FundOf(b.disbursement_made().beneficiary_id()), b.disbursement_made().amount(), -1);
      }
    } else if (b.has_event_reversed()) {
      const v1::EventInput& target = inputs_.at(b.event_reversed().target_event_id());
      const auto& d = target.body().donation_received();  // only donations are refunded
      AddTo(FundOf(d.earmark_beneficiary_id()), d.amount(), -1);
    }
  }

  const std::string ledger_id_;
  std::vector<std::unique_ptr<Req>> all_;
  std::vector<Req*> open_;
  std::unordered_map<std::string, v1::EventInput> inputs_;
  std::unordered_map<std::string, uint64_t> present_;  // event id -> position
  uint64_t scanned_ = 0;
  uint64_t verified_head_ = 0;
  std::string verified_hash_;
  std::map<std::pair<std::string, std::string>, int64_t> model_;
  Stats stats_;
};

// Offline: the data directory opened read-only verifies and rebuilds.
void OfflineAudit(const std::string& data_dir, uint64_t head, const std::string& hash) {
  ledger::EventLogOptions options;
  options.read_only = true;
  auto log = ledger::EventLog::Open(data_dir, ::ledger::testing::KeyedOptions(options));
  if (!log.ok()) Fail(absl::StrCat("offline open: ", log.status().ToString()));
  auto view = (*log)->NewReadView();
  if (view->head_position() != head || view->head_hash() != hash)
    Fail("offline head differs from the served one");
  auto chain = ledger::VerifyChain(*view, 0, 0);
  if (!chain.ok() || !chain->ok) Fail("offline chain check failed");
  auto rebuild = ledger::RebuildAndCompare(*view);
  if (!rebuild.ok() || !rebuild->match) Fail("offline rebuild differs");
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "kill -9 torture of ledgerd: crash_torture --ledgerd=PATH [--rounds=N] [--seed=S]");
  absl::ParseCommandLine(argc, argv);
  const std::string ledgerd = absl::GetFlag(FLAGS_ledgerd);
  if (ledgerd.empty()) {
    std::fprintf(stderr, "crash_torture: --ledgerd=PATH is required\n");
    return 2;
  }
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int threads = absl::GetFlag(FLAGS_threads);
  const int min_run_ms = absl::GetFlag(FLAGS_min_run_ms);
  const int max_run_ms = std::max(min_run_ms, absl::GetFlag(FLAGS_max_run_ms));
  g_seed = absl::GetFlag(FLAGS_seed);
  if (g_seed == 0) g_seed = std::random_device()() | (uint64_t{std::random_device()()} << 32);
  if (absl::GetFlag(FLAGS_work_dir).empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = absl::StrCat(tmp ? tmp : "/tmp", "/ledger-crash-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 2;
    }
    g_work_dir = pattern;
  } else {
    g_work_dir = absl::GetFlag(FLAGS_work_dir);
    std::filesystem::create_directories(g_work_dir);
  }
  const std::string data_dir = g_work_dir + "/ledger";
  const std::string port_file = g_work_dir + "/port";
  g_log_path = g_work_dir + "/ledgerd.log";
  g_key_path = g_work_dir + "/ledger.key";
  {
    // The test key, in a key file of its own beside the data (0600).
    const int fd = open(g_key_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) Fail(absl::StrCat("key file: ", std::strerror(errno)));
    const std::string hex = absl::StrCat(ledger::ToHex(ledger::testing::TestPrivateKey()), "\n");
    if (write(fd, hex.data(), hex.size()) != static_cast<ssize_t>(hex.size())) Fail("key file");
    close(fd);
  }

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGHUP, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  std::printf("crash_torture: seed=%llu rounds=%d threads=%d in %s\n",
              static_cast<unsigned long long>(g_seed), rounds, threads, g_work_dir.c_str());
  std::printf("crash_torture: rerun with: crash_torture --ledgerd=%s --rounds=%d --seed=%llu\n",
              ledgerd.c_str(), rounds, static_cast<unsigned long long>(g_seed));
  std::fflush(stdout);

  const absl::Time started = absl::Now();
  const int max_seconds =
      absl::GetFlag(FLAGS_max_seconds) > 0 ? absl::GetFlag(FLAGS_max_seconds) : 60 + 30 * rounds;
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    while (!done.load()) {
      if (absl::Now() - started > absl::Seconds(max_seconds)) {
        Fail(absl::StrCat("the run took over ", max_seconds, " s"));
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  });

  std::mt19937_64 rng(g_seed);
  int incarnation = 0;
  auto start = [&]() {
    const pid_t pid = Spawn(ledgerd, data_dir, port_file);
    const int port = WaitForPort(pid, port_file);
    LoadBearer(data_dir);
    std::shared_ptr<Conn> c = Connect(port, ++incarnation);
    return std::make_pair(pid, c);
  };

  // Round 0: a new ledger with its beneficiaries.
  pid_t pid;
  std::shared_ptr<Conn> conn;
  std::tie(pid, conn) = start();
  std::string ledger_id;
  {
    grpc::ClientContext ctx;
    SetDeadline(ctx, absl::Seconds(30));
    v1::GetHeadResponse head;
    if (!conn->audit->GetHead(&ctx, v1::GetHeadRequest(), &head).ok())
      Fail("GetHead on the new ledger");
    ledger_id = head.ledger_id();
  }
  Checker checker(ledger_id);
  {
    v1::AppendRequest setup;
    for (int b = 0; b < kBeneficiaries; ++b) {
      v1::EventInput in =
          WithId(ledger::testing::Beneficiary(absl::StrCat("b", b)), absl::StrCat("reg-b", b));
      *setup.add_events() = in;
    }
    AddApprover(setup);
    grpc::ClientContext ctx;
    SetDeadline(ctx, absl::Seconds(30));
    v1::AppendResponse resp;
    const grpc::Status s = conn->commands->Append(&ctx, setup, &resp);
    if (!s.ok()) Fail(absl::StrCat("registering beneficiaries: ", s.error_message()));
    // The setup events are checked like an acknowledged request.
    auto r = std::make_unique<Req>();
    r->request = setup;
    r->outcome = Outcome::kAcked;
    r->positions.assign(resp.positions().begin(), resp.positions().end());
    absl::MutexLock lock(&g_mu);
    g_finished.push_back(std::move(r));
  }
  Publish(conn);
  checker.Collect();
  checker.Check(*conn);

  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) clients.emplace_back(ClientLoop, t, g_seed);

  Stats& stats = checker.mutable_stats();
  for (int round = 1; round <= rounds; ++round) {
    g_round = round;
    // Load, then the kill at a random moment. Some rounds are very short.
    const int run_ms = rng() % 10 == 0
                           ? static_cast<int>(rng() % 50)
                           : min_run_ms + static_cast<int>(rng() % (max_run_ms - min_run_ms + 1));
    // Every run, however short, has a clean stop and kills during recovery.
    const bool sigterm = round % 8 == 4 || rng() % 12 == 0;
    const bool kill_in_recovery = round % 4 == 2 || rng() % 6 == 0;
    const int recovery_kill_ms = static_cast<int>(rng() % 300);
    {
      absl::MutexLock lock(&g_mu);
      g_running = true;
    }
    absl::SleepFor(absl::Milliseconds(run_ms));
    {
      absl::MutexLock lock(&g_mu);
      g_running = false;  // no new requests; retries go on
    }
    Publish(nullptr);
    if (sigterm) {
      Stop(pid, SIGTERM);
      stats.sigterms++;
    } else {
      Stop(pid, SIGKILL);
      stats.sigkills++;
    }
    conn.reset();
    if (kill_in_recovery) {
      // Killed again while it opens the database and replays the WAL.
      const pid_t p = Spawn(ledgerd, data_dir, port_file);
      absl::SleepFor(absl::Milliseconds(recovery_kill_ms));
      Stop(p, SIGKILL);
      stats.recovery_kills++;
    }
    std::tie(pid, conn) = start();
    Publish(conn);
    // Wait for every client to finish its request (retries included).
    {
      absl::MutexLock lock(&g_mu);
      auto idle = []() ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_mu) { return g_busy == 0; };
      if (!g_mu.AwaitWithTimeout(absl::Condition(&idle), absl::Seconds(60))) {
        Fail("clients still busy 60 s after the restart");
      }
    }
    checker.Collect();
    checker.Check(*conn);
    stats.rounds = round;
    std::printf(
        "round %d: %s after %d ms%s; head %llu; acked %llu requests (%llu events), "
        "unknown found %llu / absent %llu, refused %llu\n",
        round, sigterm ? "SIGTERM" : "SIGKILL", run_ms,
        kill_in_recovery ? ", SIGKILL again during recovery" : "",
        static_cast<unsigned long long>(checker.head()),
        static_cast<unsigned long long>(stats.acked_requests),
        static_cast<unsigned long long>(stats.acked_events),
        static_cast<unsigned long long>(stats.unknown_found),
        static_cast<unsigned long long>(stats.unknown_absent),
        static_cast<unsigned long long>(stats.refused_requests));
    std::fflush(stdout);
  }

  {
    absl::MutexLock lock(&g_mu);
    g_exit = true;
  }
  for (auto& t : clients) t.join();
  checker.Collect();
  checker.Check(*conn);
  checker.FinalFullCheck(*conn);
  Publish(nullptr);
  conn.reset();
  Stop(pid, SIGTERM);
  OfflineAudit(data_dir, checker.head(), checker.head_hash());
  done = true;
  watchdog.join();

  const double secs = absl::ToDoubleSeconds(absl::Now() - started);
  std::printf(
      "crash_torture: PASS seed=%llu rounds=%d (SIGKILL %d, SIGTERM %d, killed again in recovery "
      "%d) "
      "events=%llu requests=%llu acknowledgements checked=%llu (%llu events, %llu answered as "
      "retries of a recorded request) unknowns resolved=%llu (found %llu, absent %llu) "
      "refusals checked=%llu lookups=%llu unresolved=%zu time=%.1fs\n",
      static_cast<unsigned long long>(g_seed), stats.rounds, stats.sigkills, stats.sigterms,
      stats.recovery_kills, static_cast<unsigned long long>(stats.events_in_log),
      static_cast<unsigned long long>(stats.requests),
      static_cast<unsigned long long>(stats.acked_requests),
      static_cast<unsigned long long>(stats.acked_events),
      static_cast<unsigned long long>(stats.acked_after_retry_dedup),
      static_cast<unsigned long long>(stats.unknown_found + stats.unknown_absent),
      static_cast<unsigned long long>(stats.unknown_found),
      static_cast<unsigned long long>(stats.unknown_absent),
      static_cast<unsigned long long>(stats.refused_requests),
      static_cast<unsigned long long>(stats.lookups), checker.unresolved(), secs);
  if (!absl::GetFlag(FLAGS_keep)) {
    std::error_code ec;
    std::filesystem::remove_all(g_work_dir, ec);
  }
  return 0;
}
