#include "ledger/writer/requests.h"

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/check.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/privacy.h"
#include "ledger/domain/registry.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/projections/books.h"
#include "ledger/projections/indexer.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

// Finds reversal targets in the request being built, then the batch and
// the log.
class RequestLookup : public EventLookup {
 public:
  RequestLookup(const CommitBatch& batch, const std::vector<LoggedEvent>& local)
      : batch_(batch), local_(local) {}
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) override {
    for (const LoggedEvent& e : local_) {
      if (e.payload.event_id() == event_id) return std::optional<LoggedEvent>(e);
    }
    return batch_.FindEvent(event_id);
  }

 private:
  const CommitBatch& batch_;
  const std::vector<LoggedEvent>& local_;
};

absl::Status ValidateAll(const v1::AppendRequest& req) {
  const int n = req.events_size();
  if (n == 0) return InvalidField("events", "at least one event is required");
  if (static_cast<size_t>(n) > kMaxEventsPerAppend) {
    return InvalidField("events", absl::StrCat(n, " events is over the limit of ",
                                               kMaxEventsPerAppend, " per append"));
  }
  absl::flat_hash_map<absl::string_view, int> seen;
  for (int i = 0; i < n; ++i) {
    RETURN_IF_ERROR(AtEventIndex(ValidateInput(req.events(i)), i));
    auto [it, inserted] = seen.emplace(req.events(i).event_id(), i);
    if (!inserted) {
      return AtEventIndex(InvalidField("event_id", absl::StrCat("repeats events[", it->second,
                                                                "].event_id in the same append")),
                          i);
    }
  }
  return absl::OkStatus();
}

absl::Status IdReused(const v1::EventInput& in, int i, uint64_t position) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonEventIdReused);
  detail.set_field(absl::StrCat("events[", i, "].event_id"));
  detail.set_event_id(in.event_id());
  detail.set_position(position);
  detail.set_event_index(i);
  return WithDetail(
      absl::StatusCode::kAlreadyExists,
      absl::StrCat("events[", i, "].event_id: \"", in.event_id(), "\" was recorded at position ",
                   position, " with different content; choose a new event id"),
      detail);
}

absl::Status HeadMoved(uint64_t expected, uint64_t head) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonHeadMoved);
  detail.set_position(head);
  return WithDetail(absl::StatusCode::kAborted,
                    absl::StrCat("expected_head_position is ", expected, " but the head is at ",
                                 head, "; read again and retry"),
                    detail);
}

// Idempotency: the positions of events recorded before (0 for new ones)
// and the digests of all. ALREADY_EXISTS for an id reused with other content.
absl::Status MatchRecorded(const v1::AppendRequest& req, const Keyring& keyring,
                           const CommitBatch& batch, AppendResult& result,
                           std::vector<std::string>& digests, int& known) {
  const int n = req.events_size();
  result.positions.assign(n, 0);
  digests.resize(n);
  for (int i = 0; i < n; ++i) {
    digests[i] = ContentDigest(keyring, req.events(i));
    ASSIGN_OR_RETURN(std::optional<CommitBatch::IdAt> found,
                     batch.FindId(req.events(i).event_id()));
    if (!found) continue;
    if (found->digest != digests[i]) return IdReused(req.events(i), i, found->position);
    result.positions[i] = found->position;
    ++known;
  }
  return absl::OkStatus();
}

// The payload stored for `in`.
v1::EventPayload PayloadOf(const v1::EventInput& in, absl::string_view actor,
                           int64_t recorded_at_us) {
  v1::EventPayload p;
  p.set_event_id(in.event_id());
  p.set_recorded_at_us(recorded_at_us);
  p.set_occurred_on(in.occurred_on());
  p.set_actor(std::string(actor.substr(0, kMaxNameLength)));
  p.set_memo(in.memo());
  *p.mutable_body() = in.body();
  return p;
}

}  // namespace

std::string SerializeDeterministic(const google::protobuf::Message& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&out);
  }
  return bytes;
}

std::string ContentDigest(const Keyring& keyring, const v1::EventInput& input) {
  return keyring.Mac("event-input", SerializeDeterministic(input));
}

absl::StatusOr<CommitBatch::NewEvent> RecordEvent(uint64_t position, const std::string& prev_hash,
                                                  v1::EventPayload full, EventChecks checks,
                                                  const LedgerKeys& keys, StateView& rows,
                                                  EventLookup& lookup, PrivateWrites& privacy) {
  const EventKind* kind = KindOf(full.body());
  if (kind == nullptr) return InvalidField("body", "has no event kind");
  RowBooks books(rows);
  kind->Prepare(*full.mutable_body(), privacy.party_ids());
  ASSIGN_OR_RETURN(const bool sensitive, kind->ConcernsSensitiveFund(full.body(), books));
  SplitPayload split = Split(full, sensitive);
  CommitBatch::NewEvent e;
  e.position = position;
  e.payload = std::move(split.public_payload);
  if (split.details) {
    kind->NotePrivate(*split.details, *e.payload.mutable_body());
    ASSIGN_OR_RETURN(std::string commitment,
                     privacy.Seal(position, *split.details, kind->PartyOf(full.body())));
    e.payload.set_private_commitment(std::move(commitment));
  }
  ASSIGN_OR_RETURN(Effects effects, Decide(position, e.payload, books, lookup, checks));
  RETURN_IF_ERROR(privacy.Erase(effects));
  e.payload_bytes = SerializeDeterministic(e.payload);
  e.prev_hash = prev_hash;
  e.hash = ChainHash(keys.ledger_id, position, prev_hash, e.payload_bytes);
  RETURN_IF_ERROR(
      IndexEvent(IndexedEvent{position, &e.payload, e.payload_bytes, e.hash, &effects}, rows));
  return e;
}

absl::StatusOr<AppendResult> ProcessRequest(const v1::AppendRequest& req, absl::string_view actor,
                                            int64_t recorded_at_us, const LedgerKeys& keys,
                                            CommitBatch& batch) {
  RETURN_IF_ERROR(ValidateAll(req));
  AppendResult result;
  std::vector<std::string> digests;
  int known = 0;
  RETURN_IF_ERROR(MatchRecorded(req, *keys.keyring, batch, result, digests, known));
  result.head_position = batch.head_position();
  result.head_hash = batch.head_hash();
  if (known == req.events_size()) {
    result.deduplicated = true;
    return result;
  }
  if (req.has_expected_head_position() && req.expected_head_position() != batch.head_position()) {
    return HeadMoved(req.expected_head_position(), batch.head_position());
  }
  // The request's rows and private writes are staged apart from the batch:
  // a refused request leaves nothing behind.
  OverlayState overlay(&batch);
  PrivateWrites privacy(*keys.keyring, keys.ledger_id, batch);
  std::vector<LoggedEvent> local;
  std::vector<CommitBatch::NewEvent> fresh;
  RequestLookup lookup(batch, local);
  uint64_t position = batch.head_position();
  std::string prev_hash = batch.head_hash();
  for (int i = 0; i < req.events_size(); ++i) {
    if (result.positions[i] != 0) continue;
    absl::StatusOr<CommitBatch::NewEvent> e =
        RecordEvent(++position, prev_hash, PayloadOf(req.events(i), actor, recorded_at_us),
                    EventChecks::kWhenRecorded, keys, overlay, lookup, privacy);
    RETURN_IF_ERROR(AtEventIndex(e.status(), i));
    e->digest = std::move(digests[i]);
    prev_hash = e->hash;
    result.positions[i] = e->position;
    local.push_back(LoggedEvent{e->position, e->payload});
    fresh.push_back(*std::move(e));
  }
  overlay.CommitToBase();
  privacy.Commit();
  batch.AddEvents(std::move(fresh));
  result.head_position = batch.head_position();
  result.head_hash = batch.head_hash();
  // Every event of an accepted request has its position: recorded before,
  // or new in this batch (AddEvents checked that those follow the head).
  for (uint64_t p : result.positions) LEDGER_CHECK(p >= 1 && p <= result.head_position);
  return result;
}

}  // namespace ledger
