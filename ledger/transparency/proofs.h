// Inclusion and consistency proofs of the ledger's Merkle tree, answered
// from a ReadView (so the server and ledgerctl's offline reader answer
// alike), and the checks of the requests (ledger.proto; every refusal has
// its code and an ErrorDetail reason).
//
// `latest` is the latest signed checkpoint, used when a request leaves the
// tree size 0 ("the latest checkpoint's size"); nullopt when the ledger
// signs none.
#ifndef LEDGER_TRANSPARENCY_PROOFS_H_
#define LEDGER_TRANSPARENCY_PROOFS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "ledger/storage/read_view.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

absl::StatusOr<v1::GetInclusionProofResponse> InclusionProofOf(
    ReadView& view, const v1::GetInclusionProofRequest& request,
    const std::optional<v1::Checkpoint>& latest);

absl::StatusOr<v1::GetConsistencyProofResponse> ConsistencyProofOf(
    ReadView& view, const v1::GetConsistencyProofRequest& request,
    const std::optional<v1::Checkpoint>& latest);

}  // namespace ledger

#endif  // LEDGER_TRANSPARENCY_PROOFS_H_
