#include "services/streams.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/limits.h"
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

absl::Status StreamHub::Add(HubStream* stream) {
  MutexLock lock(&mu_);
  if (stopping_) return absl::CancelledError("the server is stopping");
  if (streams_.size() >= kMaxOpenStreams) {
    return absl::ResourceExhaustedError(absl::StrCat("too many streams open on this server (",
                                                     kMaxOpenStreams, "); try again later"));
  }
  const bool added = streams_.insert(stream).second;
  LEDGER_CHECK(added);  // REQUIRES: not already added
  return absl::OkStatus();
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

std::vector<std::shared_ptr<const v1::WatchBalancesResponse>> SplitBalances(
    const v1::WatchBalancesResponse& whole) {
  std::vector<std::shared_ptr<const v1::WatchBalancesResponse>> parts;
  v1::WatchBalancesResponse part;
  size_t bytes = 0, items = 0;
  auto start = [&] {
    part.Clear();
    *part.mutable_summary() = whole.summary();
    part.set_today(whole.today());
    part.set_part(static_cast<uint32_t>(parts.size()));
    bytes = part.ByteSizeLong();
    items = 0;
  };
  auto finish = [&](bool more) {
    part.set_more_parts(more);
    parts.push_back(std::make_shared<const v1::WatchBalancesResponse>(std::move(part)));
    start();
  };
  // Room for `item_bytes` more in this part; a full part is sent first.
  auto make_room = [&](size_t item_bytes) {
    if (items > 0 && (items >= kMaxWatchBalancesPartItems || bytes + item_bytes > kMaxReplyBytes)) {
      finish(true);
    }
    bytes += item_bytes + 8;  // the field's tag and length
    ++items;
  };
  start();
  for (const v1::BeneficiaryView& b : whole.beneficiaries()) {
    make_room(b.ByteSizeLong());
    *part.add_beneficiaries() = b;
  }
  for (const v1::BranchView& b : whole.branches()) {
    make_room(b.ByteSizeLong());
    *part.add_branches() = b;
  }
  finish(false);
  return parts;
}

namespace {

std::shared_ptr<const BalanceSnapshot> SnapshotOf(uint64_t position,
                                                  const v1::WatchBalancesResponse& whole) {
  auto snapshot = std::make_shared<BalanceSnapshot>();
  snapshot->position = position;
  snapshot->parts = SplitBalances(whole);
  return snapshot;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const BalanceSnapshot>> StreamHub::Balances(Audience audience) {
  MutexLock build(&build_mu_);
  const uint64_t head = log_->head_position();
  const auto index = static_cast<size_t>(audience);
  {
    MutexLock lock(&mu_);
    if (balances_[index] && balances_head_ >= head) return balances_[index];
  }
  std::unique_ptr<ReadView> view = log_->NewReadView();
  const uint64_t position = view->head_position();
  ASSIGN_OR_RETURN(v1::WatchBalancesResponse built, BuildBalances(*view, TodayUtc(log_->clock())));
  std::shared_ptr<const BalanceSnapshot> members = SnapshotOf(position, built);
  // Viewers' and the public's: sensitive funds by alias, in public order.
  ASSIGN_OR_RETURN(std::shared_ptr<const FundDirectory> funds, FundDirectory::Load(*view));
  IdentityMask mask(std::move(funds), std::move(view));
  RETURN_IF_ERROR(mask.Outbound(built));
  SortByPublicFund(built.mutable_beneficiaries());
  std::shared_ptr<const BalanceSnapshot> viewers = SnapshotOf(position, built);
  // The public's, without the branches that chose not to be named.
  auto* branches = built.mutable_branches();
  branches->erase(
      std::remove_if(branches->begin(), branches->end(),
                     [](const v1::BranchView& b) { return !b.branch().shown_publicly(); }),
      branches->end());
  std::shared_ptr<const BalanceSnapshot> shown_publicly = SnapshotOf(position, built);
  MutexLock lock(&mu_);
  balances_[static_cast<size_t>(Audience::kMembers)] = std::move(members);
  balances_[static_cast<size_t>(Audience::kViewers)] = std::move(viewers);
  balances_[static_cast<size_t>(Audience::kPublic)] = std::move(shown_publicly);
  balances_head_ = position;
  return balances_[index];
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
      return;
    }
    absl::Status added = hub_->Add(this);
    if (absl::IsCancelled(added)) {
      FinishOnce(grpc::Status::OK);
    } else if (!added.ok()) {
      FinishOnce(ToGrpcStatus(added));
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

// The balances now, then after every commit: the shared parts of the
// latest commit, never a queue of old ones. A snapshot begun is sent whole
// (every part, in order) before the next one starts.
class WatchBalancesStream final : public Stream<v1::WatchBalancesResponse> {
 public:
  WatchBalancesStream(const v1::WatchBalancesRequest* request, StreamHub* hub,
                      const absl::Status& admitted, Audience audience)
      : Stream(hub), audience_(audience) {
    Begin(admitted.ok() ? RefuseUnknownFields(*request) : admitted);
  }

 private:
  absl::StatusOr<const v1::WatchBalancesResponse*> Next() override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!current_ || next_part_ >= current_->parts.size()) {
      ASSIGN_OR_RETURN(std::shared_ptr<const BalanceSnapshot> latest, hub()->Balances(audience_));
      if (current_ && latest->position == current_->position) return nullptr;
      current_ = std::move(latest);
      next_part_ = 0;
    }
    return current_->parts[next_part_++].get();
  }

  const Audience audience_;

  // The snapshot being sent or last sent, and its next part to send.
  std::shared_ptr<const BalanceSnapshot> current_ ABSL_GUARDED_BY(mu_);
  size_t next_part_ ABSL_GUARDED_BY(mu_) = 0;
};

// Every event from a position on, then a caught-up marker once, then each
// new event as it commits. `next_` only moves forward, one event per
// message, so nothing is skipped or sent twice across catch-up and live.
class SubscribeStream final : public Stream<v1::SubscribeResponse> {
 public:
  SubscribeStream(const v1::SubscribeRequest* request, StreamHub* hub, const absl::Status& admitted,
                  DetailAccess access, FundDirectoryCache* masks)
      : Stream(hub),
        next_(std::max<uint64_t>(1, request->from_position())),
        access_(access),
        masks_(masks) {
    Begin(admitted.ok() ? RefuseUnknownFields(*request) : admitted);
  }

 private:
  absl::StatusOr<const v1::SubscribeResponse*> Next() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::unique_ptr<ReadView> view = hub()->log()->NewReadView();
    if (next_ <= view->head_position()) {
      message_.Clear();
      ASSIGN_OR_RETURN(*message_.mutable_event(), GetApiEvent(*view, next_, access_));
      if (masks_ != nullptr) {
        ASSIGN_OR_RETURN(std::shared_ptr<const FundDirectory> funds, masks_->For(*view));
        IdentityMask mask(std::move(funds), std::move(view));
        RETURN_IF_ERROR(mask.Outbound(message_));
      }
      ++next_;
      return &message_;
    }
    if (caught_up_sent_) return nullptr;
    caught_up_sent_ = true;
    *message_.mutable_caught_up()->mutable_head() = HeadOf(*view);
    return &message_;
  }

  uint64_t next_ ABSL_GUARDED_BY(mu_);
  // Private details as the caller's role allows (ServiceContext::Details).
  const DetailAccess access_;
  // Set for a caller who does not see identities: each event is masked.
  FundDirectoryCache* const masks_;
  bool caught_up_sent_ ABSL_GUARDED_BY(mu_) = false;
  // The message being written (StartWrite reads it until OnWriteDone; Next
  // is not called meanwhile, as writing_ is set).
  v1::SubscribeResponse message_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchBalancesResponse>* NewWatchBalancesStream(
    grpc::CallbackServerContext*, const v1::WatchBalancesRequest* request, StreamHub* hub,
    const absl::Status& admitted, Audience audience) {
  return new WatchBalancesStream(request, hub, admitted, audience);
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* NewSubscribeStream(
    grpc::CallbackServerContext*, const v1::SubscribeRequest* request, StreamHub* hub,
    const absl::Status& admitted, DetailAccess access, FundDirectoryCache* masks) {
  return new SubscribeStream(request, hub, admitted, access, masks);
}

}  // namespace ledger
