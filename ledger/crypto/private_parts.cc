#include "ledger/crypto/private_parts.h"

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/hash.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

std::string PartyAad(absl::string_view ledger_id, absl::string_view party_id) {
  return absl::StrCat("party-key/", ledger_id, "/", party_id);
}
std::string DataKeyAad(absl::string_view ledger_id, uint64_t position) {
  return absl::StrCat("data-key/", ledger_id, "/", position);
}
std::string PartAad(absl::string_view ledger_id, uint64_t position) {
  return absl::StrCat("private-part/", ledger_id, "/", position);
}

}  // namespace

std::string PartyId(const Keyring& keyring, absl::string_view ref) {
  return ToHex(keyring.Mac("party", ref));
}

std::string PartyKeyRow(absl::string_view party_id) { return absl::StrCat("party/", party_id); }

std::string WrapPartyKey(const Keyring& keyring, absl::string_view ledger_id,
                         absl::string_view party_id, absl::string_view party_key) {
  return keyring.Wrap(party_key, PartyAad(ledger_id, party_id));
}

absl::StatusOr<std::string> UnwrapPartyKey(const Keyring& keyring, absl::string_view ledger_id,
                                           absl::string_view party_id, absl::string_view wrapped) {
  return keyring.Unwrap(wrapped, PartyAad(ledger_id, party_id));
}

v1::SealedPart SealPart(const Keyring& keyring, absl::string_view ledger_id, uint64_t position,
                        const v1::PrivatePart& part, absl::string_view party_id,
                        const std::optional<std::string>& party_key) {
  const std::string data_key = RandomBytes(kDataKeySize);
  v1::SealedPart out;
  out.set_party_id(std::string(party_id));
  const std::string aad = DataKeyAad(ledger_id, position);
  out.set_wrapped_key(party_key ? Seal(*party_key, data_key, aad) : keyring.Wrap(data_key, aad));
  std::string plain;
  LEDGER_CHECK(part.SerializeToString(&plain));
  out.set_sealed(Seal(data_key, plain, PartAad(ledger_id, position)));
  return out;
}

absl::StatusOr<v1::PrivatePart> OpenPart(const Keyring& keyring, absl::string_view ledger_id,
                                         uint64_t position, const v1::SealedPart& sealed,
                                         const std::optional<std::string>& party_key) {
  const std::string aad = DataKeyAad(ledger_id, position);
  ASSIGN_OR_RETURN(std::string data_key, party_key ? Unseal(*party_key, sealed.wrapped_key(), aad)
                                                   : keyring.Unwrap(sealed.wrapped_key(), aad));
  if (data_key.size() != kDataKeySize) return absl::DataLossError("a data key is damaged");
  ASSIGN_OR_RETURN(std::string plain,
                   Unseal(data_key, sealed.sealed(), PartAad(ledger_id, position)));
  v1::PrivatePart part;
  if (!part.ParseFromString(plain)) return absl::DataLossError("a private part cannot be decoded");
  return part;
}

}  // namespace ledger
