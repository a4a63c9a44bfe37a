// Stage 1 checks of single fields, shared by the event kinds. Each returns
// INVALID_ARGUMENT (reason INVALID_FIELD) naming `field`, a path relative to
// the EventInput ("body.donation_received.amount").
#ifndef LEDGER_DOMAIN_VALIDATE_H_
#define LEDGER_DOMAIN_VALIDATE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// Whether an empty value is allowed.
enum class Presence { kRequired, kOptional };

// An id: 1-64 of a-z 0-9 . _ - (optional ids may be empty).
absl::Status CheckId(absl::string_view field, absl::string_view id,
                     Presence presence = Presence::kRequired);
// One-line text of at most kMaxNameLength bytes (ledger/domain/ids.h).
absl::Status CheckName(absl::string_view field, absl::string_view text, Presence presence);
// Multi-line text of at most kMaxMemoLength bytes.
absl::Status CheckMemo(absl::string_view field, absl::string_view text, Presence presence);
// A positive amount of a known currency, at most kMaxAmountMinor.
absl::Status CheckMoney(absl::string_view field, const v1::Money& money, bool has_money);
// An amount that may be left out (no amount and no currency), else as CheckMoney.
bool IsUnsetMoney(const v1::Money& money);
// A fee basis: a period and a fixed fee, or a per-member fee and minimum.
absl::Status CheckFeeBasis(absl::string_view field, const v1::FeeBasis& basis, bool has_basis);
// A count of declared members, 0..kMaxMembers.
absl::Status CheckMembers(absl::string_view field, int64_t members);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_VALIDATE_H_
