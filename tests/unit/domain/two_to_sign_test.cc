// Goal: two to sign (ledger/domain/events/disbursement_requested.cc,
// disbursement_approved.cc, disbursement_rejected.cc,
// disbursement_cancelled.cc, approval_policy_set.cc and DisbursementMade
// naming its request), decided over an in-memory state. A request commits
// its money (available down, committed up; no postings); an approver who is
// not the requester approves it, once; a payment needs the approvals the
// policy asks for and releases the commitment as the money leaves;
// rejection and cancellation release it; each refusal gives its code,
// reason, field and figures.
#include <string>

#include "gtest/gtest.h"
#include "ledger/domain/approvals.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

v1::ApprovalThreshold Above(int64_t above_minor, uint32_t approvals,
                            absl::string_view currency = "GBP") {
  v1::ApprovalThreshold t;
  t.set_currency(std::string(currency));
  t.set_above_minor(above_minor);
  t.set_approvals(approvals);
  return t;
}

class TwoToSignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A fund holding 100.00 GBP from 1 January.
    ledger_.Given({On(Beneficiary("lawyer"), "2026-01-01"),
                   On(Donation(Gbp(10000), "lawyer"), "2026-01-02")});
    ledger_.ActAs("treasurer-1");
  }

  std::string Request(absl::string_view id) {
    auto r = ledger_.books().FindRequest(id);
    if (!r.ok()) return std::string(r.status().message());
    if (!*r) return "none";
    std::string approvals;
    for (const std::string& a : (*r)->approved_by()) absl::StrAppend(&approvals, " ", a);
    return absl::StrCat(RequestStatusName((*r)->status()), " by ", (*r)->requested_by(),
                        " approved:", approvals.empty() ? " none" : approvals,
                        (*r)->closed_by().empty() ? "" : " closed by ", (*r)->closed_by());
  }

  std::string Fund() {
    auto f = ledger_.books().Fund("beneficiary/lawyer", "GBP");
    if (!f.ok()) return std::string(f.status().message());
    return absl::StrCat("available=", f->available_minor(), " committed=", f->committed_minor(),
                        " disbursed=", f->disbursed_minor());
  }

  MemoryLedger ledger_{std::nullopt};  // the default policy: one approval
};

TEST_F(TwoToSignTest, ARequestCommitsTheMoneyWithoutMovingIt) {
  EXPECT_EQ(ledger_.Recorded(On(PaymentRequest("r1", "lawyer", Gbp(3000)), "2026-02-01")),
            "fund beneficiary/lawyer GBP available=-3000 committed=3000\n"
            "totals events=1\n");
  EXPECT_EQ(Request("r1"), "pending by treasurer-1 approved: none");
  EXPECT_EQ(Fund(), "available=7000 committed=3000 disbursed=0");
  // What is committed cannot be spent twice.
  EXPECT_EQ(Render(ledger_.Decide(PaymentRequest("r2", "lawyer", Gbp(7001)))),
            "FAILED_PRECONDITION INSUFFICIENT_FUNDS fund=beneficiary/lawyer available=7000 GBP "
            "requested=7001 GBP");
  EXPECT_EQ(Render(ledger_.Decide(PaymentRequest("r1", "lawyer", Gbp(1)))),
            "ALREADY_EXISTS REQUEST_EXISTS field=body.disbursement_requested.request_id");
}

TEST_F(TwoToSignTest, ApprovedByAnotherMemberThenPaid) {
  ledger_.Given({PaymentRequest("r1", "lawyer", Gbp(3000))});
  // Paying before any approval: refused, with the figures.
  EXPECT_EQ(Render(ledger_.Decide(Payment("r1", "lawyer", Gbp(3000)))),
            "FAILED_PRECONDITION APPROVAL_REQUIRED field=body.disbursement_made.request_id "
            "fund=beneficiary/lawyer approvals_needed=1");
  // The requester may not approve their own request.
  EXPECT_EQ(Render(ledger_.Decide(Approval("r1"))),
            "PERMISSION_DENIED SELF_APPROVAL field=body.disbursement_approved.request_id");
  ledger_.ActAs("approver-1");
  ledger_.Given({Approval("r1")});
  EXPECT_EQ(Render(ledger_.Decide(Approval("r1"))),
            "ALREADY_EXISTS ALREADY_APPROVED field=body.disbursement_approved.request_id");
  EXPECT_EQ(Request("r1"), "pending by treasurer-1 approved: approver-1");
  ledger_.ActAs("treasurer-1");
  // The payment must be the request's fund and amount.
  EXPECT_EQ(Render(ledger_.Decide(Payment("r1", "lawyer", Gbp(2999)))),
            "FAILED_PRECONDITION REQUEST_MISMATCH field=body.disbursement_made.request_id");
  EXPECT_EQ(ledger_.Recorded(Payment("r1", "lawyer", Gbp(3000))),
            "Dr fund:beneficiary/lawyer 3000 GBP\n"
            "Cr cash 3000 GBP\n"
            "fund beneficiary/lawyer GBP available=3000 committed=-3000\n"
            "fund beneficiary/lawyer GBP disbursed=3000 available=-3000\n"
            "totals events=1 GBP disbursed=3000 held=-3000\n");
  EXPECT_EQ(Request("r1"), "paid by treasurer-1 approved: approver-1 closed by treasurer-1");
  EXPECT_EQ(Fund(), "available=7000 committed=0 disbursed=3000");
  // Paid once only.
  EXPECT_EQ(Render(ledger_.Decide(Payment("r1", "lawyer", Gbp(3000)))),
            "FAILED_PRECONDITION REQUEST_NOT_PENDING field=body.disbursement_made.request_id");
}

TEST_F(TwoToSignTest, RejectionAndCancellationReleaseTheMoney) {
  ledger_.Given(
      {PaymentRequest("r1", "lawyer", Gbp(3000)), PaymentRequest("r2", "lawyer", Gbp(2000))});
  EXPECT_EQ(Fund(), "available=5000 committed=5000 disbursed=0");
  // The requester cancels, never rejects, their own.
  EXPECT_EQ(Render(ledger_.Decide(Rejection("r1", "lawyer", Gbp(3000)))),
            "PERMISSION_DENIED SELF_APPROVAL field=body.disbursement_rejected.request_id");
  ledger_.ActAs("approver-1");
  EXPECT_EQ(Render(ledger_.Decide(Rejection("r1", "lawyer", Gbp(2000)))),
            "FAILED_PRECONDITION REQUEST_MISMATCH field=body.disbursement_rejected.request_id");
  EXPECT_EQ(ledger_.Recorded(Rejection("r1", "lawyer", Gbp(3000))),
            "fund beneficiary/lawyer GBP available=3000 committed=-3000\n"
            "totals events=1\n");
  ledger_.ActAs("treasurer-2");
  ledger_.Given({Cancellation("r2", "lawyer", Gbp(2000))});
  EXPECT_EQ(Fund(), "available=10000 committed=0 disbursed=0");
  EXPECT_EQ(Request("r1"), "rejected by treasurer-1 approved: none closed by approver-1");
  EXPECT_EQ(Request("r2"), "cancelled by treasurer-1 approved: none closed by treasurer-2");
  // Nothing is done to a closed request.
  for (const v1::EventInput& late :
       {Approval("r1"), Rejection("r2", "lawyer", Gbp(2000)),
        Cancellation("r1", "lawyer", Gbp(3000)), Payment("r2", "lawyer", Gbp(2000))}) {
    EXPECT_NE(Render(ledger_.Decide(late)).find("FAILED_PRECONDITION REQUEST_NOT_PENDING"),
              std::string::npos)
        << DescribeEvent(late.body());
  }
  EXPECT_EQ(Render(ledger_.Decide(Approval("nope"))),
            "NOT_FOUND UNKNOWN_REQUEST field=body.disbursement_approved.request_id");
}

TEST_F(TwoToSignTest, ThePolicySaysHowManyApprovalsAndAtWhatAmount) {
  // The default: a payment without a request is refused.
  EXPECT_EQ(Render(ledger_.Decide(Disbursement("lawyer", Gbp(100)))),
            "FAILED_PRECONDITION APPROVAL_REQUIRED field=body.disbursement_made.request_id "
            "fund=beneficiary/lawyer approvals_needed=1");
  // None up to 10.00 GBP, one above, two above 50.00 GBP.
  ledger_.Given({ApprovalPolicy(0, {Above(1000, 1), Above(5000, 2)})});
  EXPECT_TRUE(ledger_.Record(Disbursement("lawyer", Gbp(1000))).ok());
  EXPECT_EQ(Render(ledger_.Decide(Disbursement("lawyer", Gbp(1001)))),
            "FAILED_PRECONDITION APPROVAL_REQUIRED field=body.disbursement_made.request_id "
            "fund=beneficiary/lawyer approvals_needed=1");
  ledger_.Given({PaymentRequest("big", "lawyer", Gbp(6000))});
  ledger_.ActAs("approver-1");
  ledger_.Given({Approval("big")});
  ledger_.ActAs("treasurer-1");
  EXPECT_EQ(Render(ledger_.Decide(Payment("big", "lawyer", Gbp(6000)))),
            "FAILED_PRECONDITION APPROVAL_REQUIRED field=body.disbursement_made.request_id "
            "fund=beneficiary/lawyer approvals_needed=2 approvals_given=1");
  ledger_.ActAs("approver-2");
  ledger_.Given({Approval("big")});
  EXPECT_TRUE(ledger_.Record(Payment("big", "lawyer", Gbp(6000))).ok());
  // A threshold in another currency does not apply to GBP.
  EXPECT_EQ(ApprovalsNeeded(ApprovalPolicy(0, {Above(0, 3, "EUR")}).body().approval_policy_set(),
                            100, "GBP"),
            0u);
}

TEST_F(TwoToSignTest, ApprovalsAreARuleOfRecordingNotOfReplay) {
  // A log written before two to sign replays as it was accepted.
  EXPECT_TRUE(ledger_.Decide(Disbursement("lawyer", Gbp(100)), EventChecks::kOnReplay).ok());
}

TEST_F(TwoToSignTest, DatedOnOrAfterTheRequest) {
  ledger_.Given({On(PaymentRequest("r1", "lawyer", Gbp(3000)), "2026-02-10")});
  ledger_.ActAs("approver-1");
  ledger_.ExpectDatedRefusal(On(Approval("r1"), "2026-02-09"),
                             "FAILED_PRECONDITION DATE_BEFORE_REQUEST field=occurred_on "
                             "date=2026-02-10");
  ledger_.ExpectDatedRefusal(On(PaymentRequest("r0", "lawyer", Gbp(1)), "2025-12-31"),
                             "FAILED_PRECONDITION DATE_BEFORE_REGISTRATION field=occurred_on "
                             "date=2026-01-01");
}

TEST_F(TwoToSignTest, Stage1RefusesEachBadField) {
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.";
  auto req = [](v1::EventInput& in) { return in.mutable_body()->mutable_disbursement_requested(); };
  ExpectStage1(PaymentRequest("r1", "lawyer", Gbp(100)),
               {
                   {"no request id", [&](auto& in) { req(in)->clear_request_id(); },
                    bad + "disbursement_requested.request_id"},
                   {"a request id with a slash", [&](auto& in) { req(in)->set_request_id("a/b"); },
                    bad + "disbursement_requested.request_id"},
                   {"no amount", [&](auto& in) { req(in)->clear_amount(); },
                    bad + "disbursement_requested.amount"},
                   {"no purpose", [&](auto& in) { req(in)->clear_purpose(); },
                    bad + "disbursement_requested.purpose"},
               });
  ExpectStage1(
      Rejection("r1", "lawyer", Gbp(3000)),
      {{"no reason",
        [](auto& in) { in.mutable_body()->mutable_disbursement_rejected()->clear_reason(); },
        bad + "disbursement_rejected.reason"}});
  auto pol = [](v1::EventInput& in) { return in.mutable_body()->mutable_approval_policy_set(); };
  ExpectStage1(
      ApprovalPolicy(1, {Above(100, 2)}),
      {
          {"six approvals", [&](auto& in) { pol(in)->set_default_approvals(6); },
           bad + "approval_policy_set.default_approvals"},
          {"a bad currency", [&](auto& in) { pol(in)->mutable_thresholds(0)->set_currency("gbp"); },
           bad + "approval_policy_set.thresholds[0].currency"},
          {"a negative amount",
           [&](auto& in) { pol(in)->mutable_thresholds(0)->set_above_minor(-1); },
           bad + "approval_policy_set.thresholds[0].above_minor"},
          {"a threshold twice", [&](auto& in) { *pol(in)->add_thresholds() = Above(100, 3); },
           bad + "approval_policy_set.thresholds[1]"},
      });
  // With a request, a payment's purpose may be left to the request.
  v1::EventInput pay = Payment("r1", "lawyer", Gbp(100));
  pay.mutable_body()->mutable_disbursement_made()->clear_purpose();
  EXPECT_TRUE(ValidateInput(pay).ok());
}

}  // namespace
}  // namespace ledger::testing
