// Domain tests: each event kind of ledger/domain/events/ decided directly -
// stage 1 (ValidateInput), stage 2 (Decide) and MoneyEffectsOf - against
// RowBooks over an in-memory state (a MemoryState). No RocksDB, no writer.
//
// MemoryLedger is the smallest ledger a kind can be decided against: the
// state rows the projections build (each accepted event's effects applied
// with IndexEvent, as the writer applies them), the events in order (its
// EventLookup finds reversal targets), and a recording time. It starts with
// its genesis event at position 1, like every ledger.
//
// The Render functions turn effects and refusals into short strings so that
// a test compares one string and a failure reads at a glance; one line each:
//
//   Dr cash 5000 GBP                 a posting: its debit ...
//   Cr fund:general 5000 GBP         ... or its credit
//   fund general GBP received=5000 available=5000      a fund's changes
//   branch leeds GBP fees=1000 total=1000              a branch's money
//   totals events=1 GBP raised=5000 held=5000          the ledger totals
//   ben lawyer OPEN "A fund" purpose="legal aid" registered=2026-03-01@2
//   br leeds OPEN "UNISON" "Branch leeds" ... periods=0 paid_until=...
//   mark #7 by=9 amount=5000         event 7 reversed by event 9, for 5000
//   FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=general available=0 GBP ...
//
// Counters that are zero and fields that are empty are left out.
//
// Thread-safety: one test's thread.
#ifndef LEDGER_TESTS_UNIT_DOMAIN_DOMAIN_TESTING_H_
#define LEDGER_TESTS_UNIT_DOMAIN_DOMAIN_TESTING_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "ledger/domain/books.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/effects.h"
#include "ledger/projections/books.h"
#include "ledger/storage/rows.h"
#include "tests/testing/test_util.h"

namespace ledger::testing {

class MemoryLedger : public EventLookup {
 public:
  // A ledger holding only its genesis event (position 1), recording at
  // TestEpoch() (2026-03-01 12:00 UTC: the latest date it accepts is
  // 2026-03-02).
  // Its genesis sets `policy` (by default: no approvals, so that the tests
  // of other kinds pay out directly; nullopt: the ledger's default, one
  // approval per disbursement).
  explicit MemoryLedger(
      std::optional<v1::ApprovalPolicySet> policy = NoApprovals().body().approval_policy_set());
  MemoryLedger(const MemoryLedger&) = delete;
  MemoryLedger& operator=(const MemoryLedger&) = delete;

  // Both stages for `in` as the next event (position head() + 1), in the
  // writer's order: ValidateInput, then Decide against the books as they
  // stand. Applies nothing.
  absl::StatusOr<Effects> Decide(const v1::EventInput& in,
                                 EventChecks checks = EventChecks::kWhenRecorded);

  // Decide, and when it is accepted apply its effects to the state and log
  // the event.
  absl::StatusOr<Effects> Record(const v1::EventInput& in,
                                 EventChecks checks = EventChecks::kWhenRecorded);

  // Record, rendered: the effects (Render) or the refusal (RenderStatus).
  // An accepted event is then read back: MoneyEffectsOf the logged event
  // must be the money part of what Decide gave (a test failure if not).
  std::string Recorded(const v1::EventInput& in);

  // A dated rule: `in` is refused as `want` (RenderStatus) when recorded,
  // and accepted when replayed (EventChecks::kOnReplay), which does not run
  // the dated checks. Each miss is a test failure. Records nothing.
  void ExpectDatedRefusal(const v1::EventInput& in, absl::string_view want);

  // Records each event in turn (set-up); a refusal is a test failure.
  void Given(std::initializer_list<v1::EventInput> events);

  // MoneyEffectsOf the logged event `event_id`, rendered (RenderMoney); the
  // refusal rendered if it fails; "no event <id>" if it was never recorded.
  std::string LoggedMoney(absl::string_view event_id);

  // The register rows as stored now, rendered; "" for an unknown id.
  std::string StoredBeneficiary(absl::string_view id);
  std::string StoredBranch(absl::string_view id);

  // EventLookup: the logged event with `event_id`.
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) override;

  // The member the next events are recorded by ("treasurer:test" until set).
  void ActAs(absl::string_view actor) { actor_ = std::string(actor); }

  uint64_t head() const { return events_.back().position; }
  MemoryState& state() { return state_; }
  Books& books() { return books_; }

 private:
  v1::EventPayload PayloadOf(const v1::EventInput& in) const;
  absl::Status Apply(const v1::EventPayload& payload, const Effects& effects);

  MemoryState state_;
  RowBooks books_{state_};
  std::vector<LoggedEvent> events_;
  int64_t recorded_at_us_ = 0;
  std::string actor_ = "treasurer:test";
};

// ---- renderings

// Postings, fund changes, branch money and totals, one line each.
std::string RenderMoney(const Effects& effects);
// Beneficiary rows, branch rows and reversal marks, one line each.
std::string RenderRegisters(const Effects& effects);
// RenderMoney then RenderRegisters.
std::string Render(const Effects& effects);
// The effects rendered, or the refusal rendered (RenderStatus).
std::string Render(const absl::StatusOr<Effects>& decided);
// "OK", or "<CODE> <REASON>" and the ErrorDetail's fields that are set
// (field=, date=, fund=, available=, requested=, event_id=, position=).
std::string RenderStatus(const absl::Status& status);

std::string RenderBeneficiary(const v1::Beneficiary& b);
std::string RenderBranch(const v1::Branch& b);

// ---- inputs

// A BeneficiaryUpdated of `id`; empty fields keep their value.
v1::EventInput Update(absl::string_view id, absl::string_view display_name,
                      absl::string_view purpose = "");
// A branch paying `fee_per_member` per member (at least `minimum`) each period.
v1::EventInput PerMemberBranch(absl::string_view id, int64_t members,
                               const v1::Money& fee_per_member, const v1::Money& minimum,
                               v1::FeePeriod period = v1::FEE_PERIOD_MONTHLY);

// A stage 1 case: `in` changed by `edit`, and RenderStatus(ValidateInput) of
// it.
struct FieldCase {
  std::string name;
  std::function<void(v1::EventInput&)> edit;
  std::string want;
};
// Checks every case against `base` (which must itself pass stage 1).
void ExpectStage1(const v1::EventInput& base, const std::vector<FieldCase>& cases);

}  // namespace ledger::testing

#endif  // LEDGER_TESTS_UNIT_DOMAIN_DOMAIN_TESTING_H_
