#include "services/streams.h"

#include <vector>

#include "ledger/check.h"
#include "ledger/views/balances.h"
#include "ledger/views/queries.h"
#include "services/grpc_status.h"
#include "services/request_bytes.h"

namespace ledger {

// ------------------------------------------------------------------ hub

StreamHub::StreamHub(EventLog* log) : log_(log) {
  {
    MutexLock lock(&mu_);
    committed_head_ = woken_head_ = log_->head_position();
  }
  listener_ = log_->AddCommitListener([this](const CommitInfo& info) {
    // On the writer thread: hand the head over, nothing more.
    MutexLock lock(&mu_);
    if (info.head_position > committed_head_) committed_head_ = info.head_position;
    cv_.notify_one();
  });
  thread_ = std::thread([this] { Run(); });
}

StreamHub::~StreamHub() {
  StopAll();
  log_->RemoveCommitListener(listener_);
  if (thread_.joinable()) thread_.join();
}

bool StreamHub::Add(HubStream* stream) {
  MutexLock lock(&mu_);
  if (stopping_) return false;
  const bool added = streams_.insert(stream).second;
  LEDGER_CHECK(added);  // REQUIRES: not already added
  return true;
}

void StreamHub::Remove(HubStream* stream) {
  // Waits for a wake round in progress, which may be calling `stream`.
  std::lock_guard<std::recursive_mutex> round(wake_mu_);
  MutexLock lock(&mu_);
  streams_.erase(stream);
}

size_t StreamHub::streams() const {
  MutexLock lock(&mu_);
  return streams_.size();
}

absl::StatusOr<std::shared_ptr<const v1::WatchBalancesResponse>> StreamHub::Balances() {
  MutexLock build(&build_mu_);
  const uint64_t head = log_->head_position();
  {
    MutexLock lock(&mu_);
    if (balances_ && balances_head_ >= head) return balances_;
  }
  std::unique_ptr<ReadView> view = log_->NewReadView();
  ASSIGN_OR_RETURN(v1::WatchBalancesResponse built, BuildBalances(*view, TodayUtc(log_->clock())));
  auto shared = std::make_shared<const v1::WatchBalancesResponse>(std::move(built));
  MutexLock lock(&mu_);
  balances_ = shared;
  balances_head_ = view->head_position();
  return shared;
}

void StreamHub::ForEachStream(void (HubStream::*call)()) {
  std::lock_guard<std::recursive_mutex> round(wake_mu_);
  std::vector<HubStream*> streams;
  {
    MutexLock lock(&mu_);
    streams.assign(streams_.begin(), streams_.end());
  }
  for (HubStream* s : streams) {
    {
      // A stream that finished inline (and left) during this round is gone.
      MutexLock lock(&mu_);
      if (streams_.count(s) == 0) continue;
    }
    (s->*call)();
  }
}

void StreamHub::StopAll() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  ForEachStream(&HubStream::End);
}

void StreamHub::Run() {
  for (;;) {
    {
      MutexLock lock(&mu_);
      while (!stopping_ && committed_head_ <= woken_head_) mu_.Wait(cv_);
      if (stopping_) return;
      woken_head_ = committed_head_;
    }
    ForEachStream(&HubStream::Wake);
  }
}

// ------------------------------------------------------------------ streams

namespace {

// One message in flight at a time: Pump asks Next for the message to send
// (nullptr: nothing now) and writes it; OnWriteDone pumps again; Wake pumps
// when the stream is idle.
template <typename Response>
class Stream : public grpc::ServerWriteReactor<Response>, public HubStream {
 public:
  explicit Stream(StreamHub* hub) : hub_(hub) {}

  void Wake() override { Pump(); }
  void End() override { FinishOnce(grpc::Status::OK); }

  void OnWriteDone(bool ok) override {
    {
      MutexLock lock(&mu_);
      LEDGER_CHECK(writing_);  // one write at a time, and this is its end
      writing_ = false;
    }
    if (!ok) {
      FinishOnce(grpc::Status::OK);  // the client left
      return;
    }
    Pump();
  }
  void OnCancel() override { FinishOnce(grpc::Status::CANCELLED); }
  void OnDone() override {
    hub_->Remove(this);
    delete this;
  }

 protected:
  // Registers with the hub and sends the first message (or refuses).
  void Begin(const absl::Status& refusal) {
    if (!refusal.ok()) {
      FinishOnce(ToGrpcStatus(refusal));
    } else if (!hub_->Add(this)) {
      FinishOnce(grpc::Status::OK);
    } else {
      Pump();
    }
  }

  // The next message to write, or nullptr when there is none yet. Called
  // with mu_ held; the message must stay valid until OnWriteDone.
  virtual absl::StatusOr<const Response*> Next() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  StreamHub* hub() const { return hub_; }

  // Guards the stream's state (its own and what Next keeps). Never held
  // while calling gRPC; taken before the hub's locks (Next asks the hub for
  // the balances).
  Mutex mu_;

 private:
  void Pump() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::StatusOr<const Response*> next;
    {
      MutexLock lock(&mu_);
      if (writing_ || finished_) return;
      next = Next();
      if (next.ok() && *next == nullptr) return;
      if (next.ok()) writing_ = true;
    }
    if (!next.ok()) {
      FinishOnce(ToGrpcStatus(next.status()));
      return;
    }
    this->StartWrite(*next);
  }

  void FinishOnce(const grpc::Status& status) {
    {
      MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    this->Finish(status);
  }

  StreamHub* const hub_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;   // a StartWrite awaits its OnWriteDone
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // Finish was called
};

// The balances now, then after every commit: the shared message of the
// latest commit, never a queue of old ones.
class WatchBalancesStream final : public Stream<v1::WatchBalancesResponse> {
 public:
  WatchBalancesStream(const v1::WatchBalancesRequest* request, StreamHub* hub) : Stream(hub) {
    Begin(RefuseUnknownFields(*request));
  }

 private:
  absl::StatusOr<const v1::WatchBalancesResponse*> Next() override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ASSIGN_OR_RETURN(std::shared_ptr<const v1::WatchBalancesResponse> latest, hub()->Balances());
    if (current_ &&
        latest->summary().as_of().position() == current_->summary().as_of().position()) {
      return nullptr;
    }
    current_ = std::move(latest);
    return current_.get();
  }

  // The message being written or last written.
  std::shared_ptr<const v1::WatchBalancesResponse> current_ ABSL_GUARDED_BY(mu_);
};

// Every event from a position on, then a caught-up marker once, then each
// new event as it commits. `next_` only moves forward, one event per
// message, so nothing is skipped or sent twice across catch-up and live.
class SubscribeStream final : public Stream<v1::SubscribeResponse> {
 public:
  SubscribeStream(const v1::SubscribeRequest* request, StreamHub* hub)
      : Stream(hub), next_(std::max<uint64_t>(1, request->from_position())) {
    Begin(RefuseUnknownFields(*request));
  }

 private:
  absl::StatusOr<const v1::SubscribeResponse*> Next() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::unique_ptr<ReadView> view = hub()->log()->NewReadView();
    if (next_ <= view->head_position()) {
      ASSIGN_OR_RETURN(*message_.mutable_event(), GetApiEvent(*view, next_, access_));
      ++next_;
      return &message_;
    }
    if (caught_up_sent_) return nullptr;
    caught_up_sent_ = true;
    *message_.mutable_caught_up()->mutable_head() = HeadOf(*view);
    return &message_;
  }

  uint64_t next_ ABSL_GUARDED_BY(mu_);
  // Private details as every other answer gives them (ServiceContext).
  const DetailAccess access_{hub()->log()->keyring(), /*allowed=*/true};
  bool caught_up_sent_ ABSL_GUARDED_BY(mu_) = false;
  // The message being written (StartWrite reads it until OnWriteDone; Next
  // is not called meanwhile, as writing_ is set).
  v1::SubscribeResponse message_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchBalancesResponse>* NewWatchBalancesStream(
    grpc::CallbackServerContext*, const v1::WatchBalancesRequest* request, StreamHub* hub) {
  return new WatchBalancesStream(request, hub);
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* NewSubscribeStream(
    grpc::CallbackServerContext*, const v1::SubscribeRequest* request, StreamHub* hub) {
  return new SubscribeStream(request, hub);
}

}  // namespace ledger
