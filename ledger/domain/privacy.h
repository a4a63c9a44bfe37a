// Private details: which fields of an event are kept out of its stored record
// (shared/DESIGN.md, "Private details").
//
// Each field of the event schema carries a privacy option
// (proto/solidarity/ledger/v1/options.proto): public, private, private when
// the event concerns a sensitive fund, or transient (never stored). Split
// moves the private fields of a payload into a PrivatePart-to-be and clears
// them (and the transient ones) in the public payload, which is what the log
// stores and hashes, with a salted commitment to the private bytes. Merge
// puts them back for a reader allowed to see them.
//
// Thread-safety: pure functions.
#ifndef LEDGER_DOMAIN_PRIVACY_H_
#define LEDGER_DOMAIN_PRIVACY_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

inline constexpr size_t kCommitmentSaltSize = 32;

struct SplitPayload {
  // The payload as stored: private and transient fields cleared.
  v1::EventPayload public_payload;
  // The private fields (everything else empty); nullopt when the payload has
  // no private field set.
  std::optional<v1::EventPayload> details;
};

// Splits `full`. `sensitive`: the event concerns a sensitive fund, so fields
// marked PRIVATE_IF_SENSITIVE are private too.
SplitPayload Split(const v1::EventPayload& full, bool sensitive);

// `public_payload` with `details` merged back.
v1::EventPayload Merge(const v1::EventPayload& public_payload, const v1::EventPayload& details);

// SHA-256("solidarity-ledger/private/v1" || salt || deterministic bytes of
// `details`): what the stored record holds in place of the details.
std::string Commitment(absl::string_view salt, const v1::EventPayload& details);

// Keyed ids of parties (donors, payees), so that nothing stored names one.
class PartyIds {
 public:
  virtual ~PartyIds() = default;
  // A hex id for `ref`, the same for the same ref in one ledger and
  // unguessable without the ledger's key.
  virtual std::string IdOf(absl::string_view ref) const = 0;
};

}  // namespace ledger

#endif  // LEDGER_DOMAIN_PRIVACY_H_
