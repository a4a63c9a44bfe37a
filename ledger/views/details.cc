#include "ledger/views/details.h"

#include "absl/strings/str_cat.h"
#include "ledger/crypto/private_parts.h"
#include "ledger/domain/privacy.h"
#include "ledger/status_macros.h"

namespace ledger {

absl::StatusOr<Details> ReadDetails(ReadView& view, const StoredEvent& stored,
                                    const DetailAccess& access) {
  Details out;
  const std::string& commitment = stored.payload.private_commitment();
  if (commitment.empty()) return out;
  ASSIGN_OR_RETURN(std::optional<std::string> row, view.GetSealedPart(stored.position));
  if (!row) {
    out.state = v1::DETAIL_STATE_ERASED;
    return out;
  }
  v1::SealedPart sealed;
  if (!sealed.ParseFromString(*row)) {
    return absl::DataLossError(
        absl::StrCat("the sealed private part of position ", stored.position, " is damaged"));
  }
  std::optional<std::string> wrapped_party_key;
  if (!sealed.party_id().empty()) {
    ASSIGN_OR_RETURN(wrapped_party_key, view.GetPartyKey(sealed.party_id()));
    if (!wrapped_party_key) {
      out.state = v1::DETAIL_STATE_ERASED;
      return out;
    }
  }
  if (!access.allowed || access.keyring == nullptr) {
    out.state = v1::DETAIL_STATE_WITHHELD;
    return out;
  }
  std::optional<std::string> party_key;
  if (wrapped_party_key) {
    ASSIGN_OR_RETURN(party_key, UnwrapPartyKey(*access.keyring, view.ledger_id(), sealed.party_id(),
                                               *wrapped_party_key));
  }
  ASSIGN_OR_RETURN(v1::PrivatePart part,
                   OpenPart(*access.keyring, view.ledger_id(), stored.position, sealed, party_key));
  if (part.salt().size() != kCommitmentSaltSize ||
      Commitment(part.salt(), part.details()) != commitment) {
    return absl::DataLossError(absl::StrCat("the private part of position ", stored.position,
                                            " does not match the commitment in its record"));
  }
  out.state = v1::DETAIL_STATE_SHOWN;
  out.fields = std::move(*part.mutable_details());
  return out;
}

absl::StatusOr<Details> ReadDetailsAt(ReadView& view, uint64_t position,
                                      const DetailAccess& access) {
  ASSIGN_OR_RETURN(StoredEvent stored, view.GetEvent(position));
  return ReadDetails(view, stored, access);
}

}  // namespace ledger
