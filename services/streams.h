// The server streams (WatchBalances, Subscribe) on gRPC's callback API, told
// of every commit instead of polling.
//
// StreamHub listens to the EventLog's commits. The writer thread only hands
// the new head to the hub's own thread, which builds one balances message
// per commit (when anyone is watching) that every WatchBalances stream
// shares, and wakes every stream. A stream holds one message at a time: a
// slow reader gets the latest balances when it catches up, never a growing
// backlog, and an idle stream costs memory, not a thread.
//
// Thread-safety: every method may be called from any thread. Streams are
// reactors owned by gRPC; they register with the hub when they start and
// leave it in OnDone, before they are deleted.
#ifndef SERVICES_STREAMS_H_
#define SERVICES_STREAMS_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "ledger/sync.h"
#include "ledger/views/details.h"
#include "ledger/views/identities.h"
#include "ledger/writer/event_log.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"

namespace ledger {

// Who a WatchBalances stream is for: members who see identities get every
// branch and fund as it is; viewers every branch, with sensitive funds by
// alias (ledger/views/identities.h); the public only the branches that chose
// to be shown, with sensitive funds by alias.
enum class Audience { kMembers, kViewers, kPublic };

// The balances at one commit, as the parts WatchBalances sends
// (WatchBalancesResponse.part / more_parts): each at most kMaxReplyBytes
// (one fund or branch alone may pass it) and kMaxWatchBalancesPartItems.
struct BalanceSnapshot {
  uint64_t position = 0;
  std::vector<std::shared_ptr<const v1::WatchBalancesResponse>> parts;  // at least one
};

// `whole` split into parts (see BalanceSnapshot).
std::vector<std::shared_ptr<const v1::WatchBalancesResponse>> SplitBalances(
    const v1::WatchBalancesResponse& whole);

// A stream the hub wakes.
class HubStream {
 public:
  virtual ~HubStream() = default;
  // A commit moved the head (or the hub has new balances). Quick.
  virtual void Wake() = 0;
  // The server is stopping: finish now.
  virtual void End() = 0;
};

class StreamHub {
 public:
  explicit StreamHub(EventLog* log);
  // Ends every stream still open and stops the hub's thread.
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  EventLog* log() const { return log_; }

  // REQUIRES: not already added. CANCELLED when the hub is stopping (the
  // stream should finish at once, OK); RESOURCE_EXHAUSTED when
  // kMaxOpenStreams are open (the stream is refused with it).
  absl::Status Add(HubStream* stream) ABSL_LOCKS_EXCLUDED(mu_);
  // After this returns the hub never touches `stream` again.
  void Remove(HubStream* stream) ABSL_LOCKS_EXCLUDED(mu_);

  // The balances at the latest commit the hub has seen, in parts, for
  // `audience` (built once per commit, shared by every stream).
  absl::StatusOr<std::shared_ptr<const BalanceSnapshot>> Balances(Audience audience)
      ABSL_LOCKS_EXCLUDED(mu_, build_mu_);

  // Ends every stream and refuses new ones (the server is stopping).
  void StopAll() ABSL_LOCKS_EXCLUDED(mu_);

  size_t streams() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Calls `call` on every stream, holding wake_mu_ so none leaves meanwhile
  // (and not mu_, so a stream may call back into the hub).
  void ForEachStream(void (HubStream::*call)()) ABSL_LOCKS_EXCLUDED(mu_);

  EventLog* const log_;
  uint64_t listener_ = 0;

  // Guards the set of streams, the stop flag, the heads and the shared
  // balances. Held only for bookkeeping, never while a stream is called.
  mutable Mutex mu_;
  std::condition_variable cv_;  // the head moved or the hub stops; waited on with mu_
  std::set<HubStream*> streams_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t committed_head_ ABSL_GUARDED_BY(mu_) = 0;  // told by the writer
  uint64_t woken_head_ ABSL_GUARDED_BY(mu_) = 0;      // streams woken for it
  // By Audience.
  std::shared_ptr<const BalanceSnapshot> balances_[3] ABSL_GUARDED_BY(mu_);
  uint64_t balances_head_ ABSL_GUARDED_BY(mu_) = 0;
  // Serialises building the balances (so one commit's are built once),
  // outside mu_; taken before mu_, never while holding it.
  Mutex build_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // Held through a round of Wake or End calls; Remove takes it, so a stream
  // is never deleted while a round may call it. Recursive, in case a stream
  // finishes (and leaves) inline during the round; it guards no member, so
  // it stays a std::recursive_mutex (the analysis has nothing to check).
  // Taken before mu_.
  std::recursive_mutex wake_mu_;
  std::thread thread_;
};

// The reactors gRPC calls for each stream. `admitted` is the caller's
// admission (services/access.h): a stream not admitted finishes at once with
// it. Subscribe's events carry private details as `access` allows, and are
// masked (ledger/views/identities.h) when `masks` is set. WatchBalances for
// the public names only the branches that chose to be shown.
grpc::ServerWriteReactor<v1::WatchBalancesResponse>* NewWatchBalancesStream(
    grpc::CallbackServerContext* context, const v1::WatchBalancesRequest* request, StreamHub* hub,
    const absl::Status& admitted, Audience audience);
grpc::ServerWriteReactor<v1::SubscribeResponse>* NewSubscribeStream(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request, StreamHub* hub,
    const absl::Status& admitted, DetailAccess access, FundDirectoryCache* masks);

}  // namespace ledger

#endif  // SERVICES_STREAMS_H_
