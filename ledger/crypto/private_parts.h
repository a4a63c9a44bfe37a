// Sealing and opening the private part of one event (layout: ledger/FORMAT.md,
// column families `private` and `keys`).
//
//   keys     "party/" party_id  -> the party's data key, wrapped under the
//                                  ledger's wrap key
//   private  be64(position)     -> SealedPart: the event's data key, sealed
//                                  under its party's key (or the wrap key
//                                  when it concerns no party), and the
//                                  PrivatePart sealed under that data key
// Every seal is bound (AES-GCM associated data) to the ledger id and the
// position or party, so a row copied elsewhere does not open.
#ifndef LEDGER_CRYPTO_PRIVATE_PARTS_H_
#define LEDGER_CRYPTO_PRIVATE_PARTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/crypto/keyring.h"
#include "solidarity/ledger/v1/events.pb.h"
#include "solidarity/ledger/v1/state.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// The keyed id of a party (hex): the same for the same reference in one
// ledger, unguessable without its key.
std::string PartyId(const Keyring& keyring, absl::string_view ref);

// The `keys` row of a party.
std::string PartyKeyRow(absl::string_view party_id);

std::string WrapPartyKey(const Keyring& keyring, absl::string_view ledger_id,
                         absl::string_view party_id, absl::string_view party_key);
absl::StatusOr<std::string> UnwrapPartyKey(const Keyring& keyring, absl::string_view ledger_id,
                                           absl::string_view party_id, absl::string_view wrapped);

// Seals `part` of the event at `position`; `party_key` (with `party_id`)
// when it concerns a party, else the ledger's wrap key seals its data key.
v1::SealedPart SealPart(const Keyring& keyring, absl::string_view ledger_id, uint64_t position,
                        const v1::PrivatePart& part, absl::string_view party_id,
                        const std::optional<std::string>& party_key);

// Opens a sealed part; `party_key` is the unwrapped key of its party (when
// it has one). DATA_LOSS when it does not open.
absl::StatusOr<v1::PrivatePart> OpenPart(const Keyring& keyring, absl::string_view ledger_id,
                                         uint64_t position, const v1::SealedPart& sealed,
                                         const std::optional<std::string>& party_key);

}  // namespace ledger

#endif  // LEDGER_CRYPTO_PRIVATE_PARTS_H_
