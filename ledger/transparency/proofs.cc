#include "ledger/transparency/proofs.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/domain/ids.h"
#include "ledger/errors.h"
#include "ledger/merkle/rfc6962.h"
#include "ledger/projections/tree_index.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

absl::Status NoCheckpoint(absl::string_view field) {
  return Refusal(absl::StatusCode::kFailedPrecondition, kReasonNoCheckpoint,
                 absl::StrCat(field,
                              " is 0 (the latest checkpoint's size) but this ledger signs no "
                              "checkpoints (ledgerd runs without --checkpoint_key): give a size"),
                 field);
}

// A tree size the view can prove things about: 1..head.
absl::Status CheckTreeSize(const ReadView& view, absl::string_view field, uint64_t size) {
  if (size > view.head_position()) {
    return Refusal(absl::StatusCode::kOutOfRange, kReasonTreeSizeBeyondHead,
                   absl::StrCat(field, ": the tree has ", view.head_position(),
                                " leaves; it has no size ", size, " yet"),
                   field);
  }
  return absl::OkStatus();
}

// The position a GetInclusionProofRequest names.
absl::StatusOr<uint64_t> PositionOf(ReadView& view, const v1::GetInclusionProofRequest& r) {
  switch (r.key_case()) {
    case v1::GetInclusionProofRequest::kPosition:
      if (r.position() == 0) return InvalidField("position", "must be 1 or more");
      if (r.position() > view.head_position()) {
        return Refusal(absl::StatusCode::kNotFound, kReasonUnknownEvent,
                       absl::StrCat("position: no event at position ", r.position(), " (head is ",
                                    view.head_position(), ")"),
                       "position");
      }
      return r.position();
    case v1::GetInclusionProofRequest::kEventId: {
      if (!IsValidId(r.event_id())) {
        return InvalidField("event_id",
                            absl::StrCat("\"", r.event_id().substr(0, 80),
                                         "\" is not a valid id (1-64 of a-z 0-9 . _ -)"));
      }
      ASSIGN_OR_RETURN(std::optional<uint64_t> found, view.FindEventId(r.event_id()));
      if (!found) {
        return Refusal(absl::StatusCode::kNotFound, kReasonUnknownEvent,
                       absl::StrCat("event_id: no event \"", r.event_id(), "\""), "event_id");
      }
      return *found;
    }
    case v1::GetInclusionProofRequest::KEY_NOT_SET:
      break;
  }
  return InvalidField("key", "give a position or an event_id");
}

}  // namespace

absl::StatusOr<v1::GetInclusionProofResponse> InclusionProofOf(
    ReadView& view, const v1::GetInclusionProofRequest& request,
    const std::optional<v1::Checkpoint>& latest) {
  ASSIGN_OR_RETURN(const uint64_t position, PositionOf(view, request));
  v1::GetInclusionProofResponse out;
  uint64_t size = request.tree_size();
  if (size == 0) {
    if (!latest) return NoCheckpoint("tree_size");
    size = latest->tree_size();
    if (position > size) {
      return Refusal(
          absl::StatusCode::kFailedPrecondition, kReasonNotInCheckpoint,
          absl::StrCat("the event at position ", position, " is newer than the latest checkpoint (",
                       size, " events); the next one is signed within seconds: try again"),
          "tree_size");
    }
    *out.mutable_checkpoint() = *latest;
  } else {
    RETURN_IF_ERROR(CheckTreeSize(view, "tree_size", size));
    if (position > size) {
      return InvalidField("tree_size", absl::StrCat("is ", size, ", smaller than the position (",
                                                    position, ") of the event to prove"));
    }
  }
  ViewTree tree(view);
  ASSIGN_OR_RETURN(std::vector<std::string> proof,
                   merkle::InclusionProof(tree, position - 1, size));
  ASSIGN_OR_RETURN(StoredEvent event, view.GetEvent(position));
  const std::string record = event.Record();
  out.set_position(position);
  out.set_tree_size(size);
  for (std::string& h : proof) out.add_hashes(std::move(h));
  out.set_leaf_hash(RecordLeafHash(record));
  if (request.include_record()) out.set_record(record);
  return out;
}

absl::StatusOr<v1::GetConsistencyProofResponse> ConsistencyProofOf(
    ReadView& view, const v1::GetConsistencyProofRequest& request,
    const std::optional<v1::Checkpoint>& latest) {
  const uint64_t old_size = request.old_size();
  if (old_size == 0) {
    return InvalidField("old_size", "must be 1 or more (every tree extends the empty one)");
  }
  v1::GetConsistencyProofResponse out;
  uint64_t new_size = request.new_size();
  if (new_size == 0) {
    if (!latest) return NoCheckpoint("new_size");
    new_size = latest->tree_size();
    if (old_size > new_size) {
      return InvalidField(
          "old_size", absl::StrCat("is ", old_size, ", larger than the latest checkpoint's size (",
                                   new_size, ")"));
    }
    *out.mutable_checkpoint() = *latest;
  } else {
    RETURN_IF_ERROR(CheckTreeSize(view, "new_size", new_size));
    if (old_size > new_size) {
      return InvalidField("old_size",
                          absl::StrCat("is ", old_size, ", larger than new_size (", new_size, ")"));
    }
  }
  ViewTree tree(view);
  ASSIGN_OR_RETURN(std::vector<std::string> proof,
                   merkle::ConsistencyProof(tree, old_size, new_size));
  out.set_old_size(old_size);
  out.set_new_size(new_size);
  for (std::string& h : proof) out.add_hashes(std::move(h));
  return out;
}

}  // namespace ledger
