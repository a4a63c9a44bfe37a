// Helpers shared by the tests: temp directories, a fixed clock, event
// builders and short string renderings of state (so failures read at a glance).
#ifndef LEDGER_TESTS_TEST_UTIL_H_
#define LEDGER_TESTS_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/domain/civil_date.h"
#include "ledger/errors.h"
#include "ledger/views/details.h"
#include "ledger/writer/event_log.h"

namespace ledger::testing {

namespace v1 = ::solidarity::ledger::v1;

// A directory under TMPDIR removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Sub(absl::string_view name) const;

 private:
  std::string path_;
};

// A clock that stands still unless moved.
class FixedClock : public Clock {
 public:
  explicit FixedClock(absl::Time now) : now_(now) {}
  absl::Time Now() override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_;
};

// 2026-03-01 12:00 UTC.
absl::Time TestEpoch();

// The private key every test ledger is sealed with (32 fixed bytes; tests
// only), and EventLogOptions that carry it. A new test ledger also starts
// with an approval policy asking for no approvals (NoApprovals), so that
// tests of other things pay money out directly, unless `options` sets one:
// the tests of two to sign start with DefaultApprovalPolicy().
const std::string& TestPrivateKey();
EventLogOptions KeyedOptions(EventLogOptions options = {});
// A reader allowed every private detail of `log` (opened with its key).
DetailAccess AllDetails(const EventLog& log);

v1::Money Gbp(int64_t minor);
v1::Money Of(int64_t minor, absl::string_view currency);

// Event builders. Each returns an EventInput with a fresh id unless given.
v1::EventInput Beneficiary(absl::string_view id, absl::string_view name = "A fund");
v1::EventInput CloseBeneficiary(absl::string_view id);
v1::EventInput Branch(absl::string_view id, const v1::Money& fee = Gbp(1000),
                      v1::FeePeriod period = v1::FEE_PERIOD_MONTHLY);
v1::EventInput Disaffiliate(absl::string_view id);
v1::EventInput Fee(absl::string_view branch_id, const v1::Money& amount, int periods = 1);
v1::EventInput Donation(const v1::Money& amount, absl::string_view earmark = "");
v1::EventInput BranchDonation(absl::string_view branch_id, const v1::Money& amount,
                              absl::string_view earmark = "");
v1::EventInput Allocation(absl::string_view beneficiary_id, const v1::Money& amount);
v1::EventInput Disbursement(absl::string_view beneficiary_id, const v1::Money& amount);
// FundsTransferred from one beneficiary's fund to another's ("" = general).
v1::EventInput Transfer(absl::string_view from_beneficiary_id, absl::string_view to_beneficiary_id,
                        const v1::Money& amount,
                        v1::TransferAuthority authority = v1::TRANSFER_AUTHORITY_DONOR_CONSENT);
// Two to sign: a request (purpose "lawyer fees", payee "law-firm-1"), its
// approval, rejection, cancellation and payment (a Disbursement naming it),
// and an approval policy.
v1::EventInput PaymentRequest(absl::string_view request_id, absl::string_view beneficiary_id,
                              const v1::Money& amount);
v1::EventInput Approval(absl::string_view request_id);
// A rejection and a cancellation repeat the request's fund and amount.
v1::EventInput Rejection(absl::string_view request_id, absl::string_view beneficiary_id,
                         const v1::Money& amount);
v1::EventInput Cancellation(absl::string_view request_id, absl::string_view beneficiary_id,
                            const v1::Money& amount);
v1::EventInput Payment(absl::string_view request_id, absl::string_view beneficiary_id,
                       const v1::Money& amount);
v1::EventInput ApprovalPolicy(uint32_t default_approvals,
                              std::vector<v1::ApprovalThreshold> thresholds = {});
// ApprovalPolicy(0): a disbursement needs no approval (for tests of other
// things that pay money out directly).
v1::EventInput NoApprovals();
// Closed periods: an admin's proposal to close the books through `through`
// (reason "year end"), and the second member's closure naming it.
v1::EventInput PeriodProposal(absl::string_view proposal_id, absl::string_view through);
v1::EventInput ClosePeriod(absl::string_view proposal_id, absl::string_view through);
v1::EventInput Reversal(absl::string_view target_event_id,
                        v1::ReversalKind kind = v1::REVERSAL_KIND_REFUND, int64_t amount_minor = 0,
                        absl::string_view currency = "");

// Sets the event id (for idempotency tests).
v1::EventInput WithId(v1::EventInput in, absl::string_view id);
// Sets the date the event occurred on ("YYYY-MM-DD").
v1::EventInput On(v1::EventInput in, absl::string_view day);

// An AppendRequest of the given events.
v1::AppendRequest Request(std::initializer_list<v1::EventInput> events);

// "fund:beneficiary/x GBP available=... received=..." lines, one per row, of
// every fund; "" when none.
std::string RenderFunds(ReadView& view);
// The whole state column family rendered row by row.
std::string RenderState(ReadView& view);
// Sum of debits minus credits per currency over every account ("GBP=0 ...").
std::string TrialBalanceSums(ReadView& view);
// The available balance of one fund in one currency (0 if none).
int64_t Available(ReadView& view, absl::string_view fund, absl::string_view currency);

inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// gmock matcher on absl::Status / StatusOr code.
MATCHER_P(StatusIs, code, "") {
  absl::Status s = ::ledger::testing::ToStatus(arg);
  if (s.code() != code) {
    *result_listener << "status is " << s.ToString();
    return false;
  }
  return true;
}
MATCHER(IsOk, "") {
  absl::Status s = ::ledger::testing::ToStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s.ToString();
  return s.ok();
}

// Overwrites the stored record at `position`, bypassing every check (to
// simulate tampering).
absl::Status PutEventRecordForTest(EventLog& log, uint64_t position, absl::string_view value);

// The ErrorDetail reason of a status ("" if none).
std::string Reason(const absl::Status& s);

}  // namespace ledger::testing

#endif  // LEDGER_TESTS_TEST_UTIL_H_
