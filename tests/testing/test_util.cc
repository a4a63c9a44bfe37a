#include "tests/testing/test_util.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "ledger/audit/replay.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/money.h"
#include "ledger/projections/keys.h"
#include "ledger/storage/records.h"
#include "ledger/storage/rows.h"

namespace ledger::testing {
namespace {

std::atomic<int> next_id{0};

std::string NextId(absl::string_view prefix) {
  return absl::StrCat(prefix, "-", next_id.fetch_add(1));
}

v1::EventInput Input(absl::string_view prefix) {
  v1::EventInput in;
  in.set_event_id(NextId(prefix));
  in.set_occurred_on("2026-03-01");
  return in;
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(base ? base : "/tmp", "/ledger-test-XXXXXX");
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Sub(absl::string_view name) const { return absl::StrCat(path_, "/", name); }

const std::string& TestPrivateKey() {
  static const std::string* key = new std::string(kDataKeySize, '\x5a');
  return *key;
}

DetailAccess AllDetails(const EventLog& log) { return {log.keyring(), /*allowed=*/true}; }

EventLogOptions KeyedOptions(EventLogOptions options) {
  if (options.private_key.empty()) options.private_key = TestPrivateKey();
  if (!options.approval_policy)
    options.approval_policy = NoApprovals().body().approval_policy_set();
  return options;
}

absl::Time TestEpoch() { return absl::FromUnixSeconds(1772366400); }  // 2026-03-01T12:00Z

v1::Money Of(int64_t minor, absl::string_view currency) {
  v1::Money m;
  m.set_amount_minor(minor);
  m.set_currency(std::string(currency));
  return m;
}
v1::Money Gbp(int64_t minor) { return Of(minor, "GBP"); }

v1::EventInput Beneficiary(absl::string_view id, absl::string_view name) {
  v1::EventInput in = Input("reg");
  auto* e = in.mutable_body()->mutable_beneficiary_registered();
  e->set_beneficiary_id(std::string(id));
  e->set_display_name(std::string(name));
  e->set_purpose("legal aid");
  return in;
}

v1::EventInput CloseBeneficiary(absl::string_view id) {
  v1::EventInput in = Input("close");
  in.mutable_body()->mutable_beneficiary_closed()->set_beneficiary_id(std::string(id));
  return in;
}

v1::EventInput Branch(absl::string_view id, const v1::Money& fee, v1::FeePeriod period) {
  v1::EventInput in = Input("aff");
  auto* e = in.mutable_body()->mutable_branch_affiliated();
  e->set_branch_id(std::string(id));
  e->set_union_name("UNISON");
  e->set_branch_name(absl::StrCat("Branch ", id));
  e->set_region("Yorkshire");
  e->set_members(120);
  *e->mutable_fee_basis()->mutable_fixed()->mutable_fee() = fee;
  e->mutable_fee_basis()->set_period(period);
  return in;
}

v1::EventInput Disaffiliate(absl::string_view id) {
  v1::EventInput in = Input("disaff");
  in.mutable_body()->mutable_branch_disaffiliated()->set_branch_id(std::string(id));
  return in;
}

v1::EventInput Fee(absl::string_view branch_id, const v1::Money& amount, int periods) {
  v1::EventInput in = Input("fee");
  auto* e = in.mutable_body()->mutable_affiliation_fee_paid();
  e->set_branch_id(std::string(branch_id));
  *e->mutable_amount() = amount;
  e->set_periods(periods);
  return in;
}

v1::EventInput Donation(const v1::Money& amount, absl::string_view earmark) {
  v1::EventInput in = Input("don");
  auto* e = in.mutable_body()->mutable_donation_received();
  *e->mutable_amount() = amount;
  e->set_donor_kind(v1::DONOR_KIND_INDIVIDUAL);
  e->set_donor_ref("donor-7");
  e->set_earmark_beneficiary_id(std::string(earmark));
  return in;
}

v1::EventInput BranchDonation(absl::string_view branch_id, const v1::Money& amount,
                              absl::string_view earmark) {
  v1::EventInput in = Donation(amount, earmark);
  auto* e = in.mutable_body()->mutable_donation_received();
  e->set_donor_kind(v1::DONOR_KIND_BRANCH);
  e->set_branch_id(std::string(branch_id));
  e->clear_donor_ref();
  return in;
}

v1::EventInput Allocation(absl::string_view beneficiary_id, const v1::Money& amount) {
  v1::EventInput in = Input("alloc");
  auto* e = in.mutable_body()->mutable_funds_allocated();
  e->set_beneficiary_id(std::string(beneficiary_id));
  *e->mutable_amount() = amount;
  return in;
}

v1::EventInput Transfer(absl::string_view from_beneficiary_id, absl::string_view to_beneficiary_id,
                        const v1::Money& amount, v1::TransferAuthority authority) {
  v1::EventInput in = Input("transfer");
  auto* e = in.mutable_body()->mutable_funds_transferred();
  e->set_from_beneficiary_id(std::string(from_beneficiary_id));
  e->set_to_beneficiary_id(std::string(to_beneficiary_id));
  *e->mutable_amount() = amount;
  e->set_authority(authority);
  return in;
}

v1::EventInput PaymentRequest(absl::string_view request_id, absl::string_view beneficiary_id,
                              const v1::Money& amount) {
  v1::EventInput in = Input("req");
  auto* e = in.mutable_body()->mutable_disbursement_requested();
  e->set_request_id(std::string(request_id));
  e->set_beneficiary_id(std::string(beneficiary_id));
  *e->mutable_amount() = amount;
  e->set_purpose("lawyer fees");
  e->set_payee("law-firm-1");
  return in;
}

v1::EventInput Approval(absl::string_view request_id) {
  v1::EventInput in = Input("appr");
  in.mutable_body()->mutable_disbursement_approved()->set_request_id(std::string(request_id));
  return in;
}

v1::EventInput Rejection(absl::string_view request_id, absl::string_view beneficiary_id,
                         const v1::Money& amount) {
  v1::EventInput in = Input("rej");
  auto* e = in.mutable_body()->mutable_disbursement_rejected();
  e->set_request_id(std::string(request_id));
  e->set_beneficiary_id(std::string(beneficiary_id));
  *e->mutable_amount() = amount;
  e->set_reason("not agreed");
  return in;
}

v1::EventInput Cancellation(absl::string_view request_id, absl::string_view beneficiary_id,
                            const v1::Money& amount) {
  v1::EventInput in = Input("canc");
  auto* e = in.mutable_body()->mutable_disbursement_cancelled();
  e->set_request_id(std::string(request_id));
  e->set_beneficiary_id(std::string(beneficiary_id));
  *e->mutable_amount() = amount;
  e->set_reason("asked twice");
  return in;
}

v1::EventInput Payment(absl::string_view request_id, absl::string_view beneficiary_id,
                       const v1::Money& amount) {
  v1::EventInput in = Disbursement(beneficiary_id, amount);
  in.mutable_body()->mutable_disbursement_made()->set_request_id(std::string(request_id));
  return in;
}

v1::EventInput PeriodProposal(absl::string_view proposal_id, absl::string_view through) {
  v1::EventInput in = Input("pprop");
  auto* e = in.mutable_body()->mutable_period_close_proposed();
  e->set_proposal_id(std::string(proposal_id));
  e->set_through(std::string(through));
  e->set_reason("year end");
  return in;
}

v1::EventInput ClosePeriod(absl::string_view proposal_id, absl::string_view through) {
  v1::EventInput in = Input("pclose");
  auto* e = in.mutable_body()->mutable_period_closed();
  e->set_proposal_id(std::string(proposal_id));
  e->set_through(std::string(through));
  return in;
}

v1::EventInput ApprovalPolicy(uint32_t default_approvals,
                              std::vector<v1::ApprovalThreshold> thresholds) {
  v1::EventInput in = Input("policy");
  auto* e = in.mutable_body()->mutable_approval_policy_set();
  e->set_default_approvals(default_approvals);
  for (v1::ApprovalThreshold& t : thresholds) *e->add_thresholds() = std::move(t);
  return in;
}

v1::EventInput NoApprovals() { return ApprovalPolicy(0); }

v1::EventInput Disbursement(absl::string_view beneficiary_id, const v1::Money& amount) {
  v1::EventInput in = Input("disb");
  auto* e = in.mutable_body()->mutable_disbursement_made();
  e->set_beneficiary_id(std::string(beneficiary_id));
  *e->mutable_amount() = amount;
  e->set_purpose("lawyer fees");
  e->set_payee("law-firm-1");
  return in;
}

v1::EventInput Reversal(absl::string_view target_event_id, v1::ReversalKind kind,
                        int64_t amount_minor, absl::string_view currency) {
  v1::EventInput in = Input("rev");
  auto* e = in.mutable_body()->mutable_event_reversed();
  e->set_target_event_id(std::string(target_event_id));
  e->set_kind(kind);
  e->set_reason("refund requested");
  if (amount_minor != 0) *e->mutable_amount() = Of(amount_minor, currency);
  return in;
}

v1::EventInput WithId(v1::EventInput in, absl::string_view id) {
  in.set_event_id(std::string(id));
  return in;
}

v1::EventInput On(v1::EventInput in, absl::string_view day) {
  in.set_occurred_on(std::string(day));
  return in;
}

v1::AppendRequest Request(std::initializer_list<v1::EventInput> events) {
  v1::AppendRequest r;
  for (const auto& e : events) *r.add_events() = e;
  return r;
}

std::string RenderFunds(ReadView& view) {
  std::string out;
  auto s = view.Scan(kFundKeyPrefix, [&](absl::string_view, absl::string_view value) {
    v1::FundBalance f;
    f.ParseFromString(std::string(value));
    absl::StrAppend(&out, f.fund(), " ", f.currency(), " available=", f.available_minor(),
                    " received=", f.received_minor(), " in=", f.allocated_in_minor(),
                    " out=", f.allocated_out_minor(), " disbursed=", f.disbursed_minor(), "\n");
    return true;
  });
  if (!s.ok()) return s.ToString();
  return out;
}

std::string RenderState(ReadView& view) {
  std::string out;
  auto s = view.Scan("", [&](absl::string_view key, absl::string_view value) {
    absl::StrAppend(&out, PrintableKey(key), " => ", DescribeRow(key, value), "\n");
    return true;
  });
  if (!s.ok()) return s.ToString();
  return out;
}

std::string TrialBalanceSums(ReadView& view) {
  std::map<std::string, int64_t> sums;
  auto s = view.Scan(kAccountKeyPrefix, [&](absl::string_view, absl::string_view value) {
    v1::AccountBalance a;
    a.ParseFromString(std::string(value));
    sums[a.currency()] += a.debits_minor() - a.credits_minor();
    return true;
  });
  if (!s.ok()) return s.ToString();
  std::string out;
  for (const auto& [cur, sum] : sums) absl::StrAppend(&out, out.empty() ? "" : " ", cur, "=", sum);
  return out;
}

int64_t Available(ReadView& view, absl::string_view fund, absl::string_view currency) {
  auto row = view.Load<v1::FundBalance>(FundKey(fund, currency));
  if (!row.ok() || !row->has_value()) return 0;
  return (*row)->available_minor();
}

absl::Status PutEventRecordForTest(EventLog& log, uint64_t position, absl::string_view value) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s =
      log.database().raw_for_testing()->Put(wo, log.database().cf("events"), EventKey(position),
                                            rocksdb::Slice(value.data(), value.size()));
  return s.ok() ? absl::OkStatus() : absl::InternalError(s.ToString());
}

std::string Reason(const absl::Status& s) {
  auto d = GetErrorDetail(s);
  return d ? d->reason() : "";
}

}  // namespace ledger::testing
