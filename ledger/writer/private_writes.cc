#include "ledger/writer/private_writes.h"

#include "absl/strings/str_cat.h"
#include "ledger/crypto/private_parts.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"
#include "ledger/storage/database.h"
#include "ledger/storage/records.h"

namespace ledger {

std::string KeyringPartyIds::IdOf(absl::string_view ref) const { return PartyId(keyring_, ref); }

absl::StatusOr<std::optional<std::string>> PrivateWrites::Row(absl::string_view cf,
                                                              const std::string& key) {
  auto it = staged_.find({std::string(cf), key});
  if (it != staged_.end()) return it->second;
  return batch_.GetAux(cf, key);
}

absl::StatusOr<std::optional<std::string>> PrivateWrites::PartyKey(const std::string& party_id) {
  auto fresh = new_party_keys_.find(party_id);
  if (fresh != new_party_keys_.end()) return std::optional<std::string>(fresh->second);
  ASSIGN_OR_RETURN(std::optional<std::string> wrapped, Row(kKeysCf, PartyKeyRow(party_id)));
  if (!wrapped) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string key, UnwrapPartyKey(keyring_, ledger_id_, party_id, *wrapped));
  return std::optional<std::string>(std::move(key));
}

absl::StatusOr<std::string> PrivateWrites::Seal(uint64_t position, const v1::EventPayload& details,
                                                absl::string_view party_ref) {
  v1::PrivatePart part;
  part.set_salt(RandomBytes(kCommitmentSaltSize));
  *part.mutable_details() = details;
  std::string party_id;
  std::optional<std::string> party_key;
  if (!party_ref.empty()) {
    party_id = ids_.IdOf(party_ref);
    ASSIGN_OR_RETURN(party_key, PartyKey(party_id));
    if (!party_key) {
      party_key = RandomBytes(kDataKeySize);
      new_party_keys_[party_id] = *party_key;
      staged_[{kKeysCf, PartyKeyRow(party_id)}] =
          WrapPartyKey(keyring_, ledger_id_, party_id, *party_key);
    }
  }
  const v1::SealedPart sealed = SealPart(keyring_, ledger_id_, position, part, party_id, party_key);
  staged_[{kPrivateCf, EventKey(position)}] = sealed.SerializeAsString();
  return Commitment(part.salt(), details);
}

absl::Status PrivateWrites::Erase(const Effects& effects) {
  for (const std::string& party_id : effects.erased_parties) {
    ASSIGN_OR_RETURN(std::optional<std::string> key, Row(kKeysCf, PartyKeyRow(party_id)));
    if (!key && new_party_keys_.count(party_id) == 0) {
      return Refusal(absl::StatusCode::kNotFound, kReasonUnknownParty,
                     "body.party_erased.party_ref: no private details of such a party are kept "
                     "(never recorded, or erased already)",
                     "body.party_erased.party_ref");
    }
    new_party_keys_.erase(party_id);
    staged_[{kKeysCf, PartyKeyRow(party_id)}] = std::nullopt;
  }
  for (uint64_t position : effects.erased_event_details) {
    ASSIGN_OR_RETURN(std::optional<std::string> sealed, Row(kPrivateCf, EventKey(position)));
    if (!sealed) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonAlreadyErased,
                     absl::StrCat("body.event_details_erased.target_event_id: the private "
                                  "details of the event at position ",
                                  position, " are erased already"),
                     "body.event_details_erased.target_event_id");
    }
    staged_[{kPrivateCf, EventKey(position)}] = std::nullopt;
  }
  return absl::OkStatus();
}

void PrivateWrites::Commit() {
  for (auto& [where, value] : staged_) {
    if (value) {
      batch_.PutAux(where.first, where.second, std::move(*value));
    } else {
      batch_.DeleteAux(where.first, where.second);
    }
  }
  staged_.clear();
  new_party_keys_.clear();
}

}  // namespace ledger
