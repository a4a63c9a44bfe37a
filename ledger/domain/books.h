// Books: what an event kind may read of the ledger while it is being decided.
//
// The domain reads the books only through this interface, so it knows
// nothing of RocksDB or of row layouts: the projections implement it over
// the state rows of a commit being built (ledger/projections/books.h), and
// domain tests over an in-memory state. Reads see every event decided
// before, including the earlier events of the same commit.
//
// Thread-safety: used by one thread at a time.
#ifndef LEDGER_DOMAIN_BOOKS_H_
#define LEDGER_DOMAIN_BOOKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "solidarity/ledger/v1/events.pb.h"
#include "solidarity/ledger/v1/projections.pb.h"
#include "solidarity/ledger/v1/state.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// An event already in the log (or earlier in the commit being built).
struct LoggedEvent {
  uint64_t position = 0;
  v1::EventPayload payload;
};

// Finds events by event_id (the targets of reversals).
class EventLookup {
 public:
  virtual ~EventLookup() = default;
  virtual absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) = 0;
};

// The change of one fund's available balance on one day.
struct DayChange {
  std::string day;  // "YYYY-MM-DD"
  int64_t available_minor = 0;
};

class Books {
 public:
  virtual ~Books() = default;

  // The registers; nullopt for an id never seen.
  virtual absl::StatusOr<std::optional<v1::Beneficiary>> FindBeneficiary(absl::string_view id) = 0;
  virtual absl::StatusOr<std::optional<v1::Branch>> FindBranch(absl::string_view id) = 0;
  // Members and tokens (governance); nullopt for one never seen.
  virtual absl::StatusOr<std::optional<v1::Member>> FindMember(absl::string_view member_id) = 0;
  virtual absl::StatusOr<std::optional<v1::Token>> FindToken(absl::string_view token_id) = 0;
  // The id of the token with this SHA-256, if one was ever issued.
  virtual absl::StatusOr<std::optional<std::string>> FindTokenIdByHash(
      absl::string_view token_hash) = 0;
  // Members who hold ROLE_ADMIN and have not been removed.
  virtual absl::StatusOr<int> CountActiveAdmins() = 0;
  // Two to sign: a disbursement request (nullopt for an id never seen) and
  // the approval policy last recorded (nullopt before the first).
  virtual absl::StatusOr<std::optional<v1::DisbursementRequest>> FindRequest(
      absl::string_view request_id) = 0;
  virtual absl::StatusOr<std::optional<v1::ApprovalPolicySet>> FindApprovalPolicy() = 0;
  // Closed periods: the day the books are closed through (nullopt while
  // none is closed) and a proposal to close one (nullopt for an id never
  // seen).
  virtual absl::StatusOr<std::optional<v1::ClosedPeriod>> FindClosedPeriod() = 0;
  virtual absl::StatusOr<std::optional<v1::PeriodProposal>> FindPeriodProposal(
      absl::string_view proposal_id) = 0;
  // The mark on the event at `position` if it was reversed.
  virtual absl::StatusOr<std::optional<v1::ReversalMark>> FindReversal(uint64_t position) = 0;

  // A fund's balance in one currency now (every counter zero, fund and
  // currency set, if it never held any).
  virtual absl::StatusOr<v1::FundBalance> Fund(absl::string_view fund,
                                               absl::string_view currency) = 0;
  // The days on or after `from_day` on which the fund's available balance
  // in `currency` changed, in day order, with each day's net change.
  virtual absl::StatusOr<std::vector<DayChange>> FundDaysFrom(absl::string_view fund,
                                                              absl::string_view currency,
                                                              absl::string_view from_day) = 0;
};

}  // namespace ledger

#endif  // LEDGER_DOMAIN_BOOKS_H_
