#include "tests/unit/domain/domain_testing.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/registry.h"
#include "ledger/errors.h"
#include "ledger/projections/indexer.h"
#include "ledger/projections/keys.h"
#include "ledger/status_macros.h"

namespace ledger::testing {
namespace {

// " name=value" when value is not zero.
std::string Counter(absl::string_view name, int64_t value) {
  return value == 0 ? "" : absl::StrCat(" ", name, "=", value);
}

// " name=value" when value is not empty; quoted when asked.
std::string Text(absl::string_view name, absl::string_view value) {
  return value.empty() ? "" : absl::StrCat(" ", name, "=", value);
}
std::string Quoted(absl::string_view value) { return absl::StrCat("\"", value, "\""); }

std::string StatusName(v1::Status status) {
  switch (status) {
    case v1::STATUS_OPEN:
      return "OPEN";
    case v1::STATUS_CLOSED:
      return "CLOSED";
    default:
      return absl::StrCat("status", static_cast<int>(status));
  }
}

std::string PeriodName(v1::FeePeriod period) {
  switch (period) {
    case v1::FEE_PERIOD_MONTHLY:
      return "monthly";
    case v1::FEE_PERIOD_QUARTERLY:
      return "quarterly";
    case v1::FEE_PERIOD_ANNUAL:
      return "annual";
    default:
      return absl::StrCat("period", static_cast<int>(period));
  }
}

std::string MoneyText(const v1::Money& m) {
  return absl::StrCat(m.amount_minor(), " ", m.currency());
}

std::string FeeBasisText(const v1::FeeBasis& basis) {
  switch (basis.basis_case()) {
    case v1::FeeBasis::kFixed:
      return absl::StrCat(MoneyText(basis.fixed().fee()), " ", PeriodName(basis.period()));
    case v1::FeeBasis::kPerMember:
      return absl::StrCat(MoneyText(basis.per_member().fee_per_member()), " per member min ",
                          MoneyText(basis.per_member().minimum()), " ", PeriodName(basis.period()));
    case v1::FeeBasis::BASIS_NOT_SET:
      break;
  }
  return "none";
}

std::string BranchTotalsText(const v1::BranchTotals& t) {
  return absl::StrCat(t.currency(), Counter("fees", t.fees_paid_minor()),
                      Counter("donations", t.donations_minor()), Counter("total", t.total_minor()));
}

}  // namespace

MemoryLedger::MemoryLedger(std::optional<v1::ApprovalPolicySet> policy)
    : recorded_at_us_(absl::ToUnixMicros(TestEpoch())) {
  // The genesis, as EventLog::CreateGenesis writes it (clients cannot send
  // one, so stage 1 is not run for it).
  v1::EventPayload genesis;
  genesis.set_event_id("genesis");
  genesis.set_recorded_at_us(recorded_at_us_);
  genesis.set_occurred_on("2026-03-01");
  genesis.set_actor("ledgerd");
  genesis.mutable_body()->mutable_ledger_opened()->set_ledger_id(std::string(32, 'a'));
  genesis.mutable_body()->mutable_ledger_opened()->set_name("Test ledger");
  if (policy) *genesis.mutable_body()->mutable_ledger_opened()->mutable_approval_policy() = *policy;
  absl::StatusOr<Effects> effects =
      ledger::Decide(1, genesis, books_, *this, EventChecks::kWhenRecorded);
  EXPECT_TRUE(effects.ok()) << effects.status();
  if (effects.ok()) {
    EXPECT_TRUE(Apply(genesis, *effects).ok());
  }
}

v1::EventPayload MemoryLedger::PayloadOf(const v1::EventInput& in) const {
  v1::EventPayload p;
  p.set_event_id(in.event_id());
  p.set_recorded_at_us(recorded_at_us_);
  p.set_occurred_on(in.occurred_on());
  p.set_actor(actor_);
  p.set_memo(in.memo());
  *p.mutable_body() = in.body();
  return p;
}

absl::StatusOr<Effects> MemoryLedger::Decide(const v1::EventInput& in, EventChecks checks) {
  RETURN_IF_ERROR(ValidateInput(in));
  return ledger::Decide(head() + 1, PayloadOf(in), books_, *this, checks);
}

absl::Status MemoryLedger::Apply(const v1::EventPayload& payload, const Effects& effects) {
  const uint64_t position = events_.empty() ? 1 : head() + 1;
  const std::string bytes = payload.SerializeAsString();
  RETURN_IF_ERROR(IndexEvent(IndexedEvent{position, &payload, bytes, "", &effects}, state_));
  events_.push_back(LoggedEvent{position, payload});
  return absl::OkStatus();
}

absl::StatusOr<Effects> MemoryLedger::Record(const v1::EventInput& in, EventChecks checks) {
  ASSIGN_OR_RETURN(Effects effects, Decide(in, checks));
  RETURN_IF_ERROR(Apply(PayloadOf(in), effects));
  return effects;
}

std::string MemoryLedger::Recorded(const v1::EventInput& in) {
  absl::StatusOr<Effects> decided = Record(in);
  if (!decided.ok()) return RenderStatus(decided.status());
  EXPECT_EQ(LoggedMoney(in.event_id()), RenderMoney(*decided))
      << "MoneyEffectsOf the logged " << KindName(in.body())
      << " is not the money Decide gave for it";
  return Render(*decided);
}

void MemoryLedger::ExpectDatedRefusal(const v1::EventInput& in, absl::string_view want) {
  EXPECT_EQ(Render(Decide(in)), want) << "when recorded: " << in.ShortDebugString();
  absl::StatusOr<Effects> replayed = Decide(in, EventChecks::kOnReplay);
  EXPECT_TRUE(replayed.ok()) << "on replay: " << replayed.status() << "\n  "
                             << in.ShortDebugString();
}

void MemoryLedger::Given(std::initializer_list<v1::EventInput> events) {
  for (const v1::EventInput& in : events) {
    absl::StatusOr<Effects> r = Record(in);
    if (!r.ok()) {
      ADD_FAILURE() << "set-up event refused: " << r.status() << "\n  " << in.ShortDebugString();
      return;
    }
  }
}

absl::StatusOr<std::optional<LoggedEvent>> MemoryLedger::FindByEventId(absl::string_view event_id) {
  for (const LoggedEvent& e : events_) {
    if (e.payload.event_id() == event_id) return std::optional<LoggedEvent>(e);
  }
  return std::optional<LoggedEvent>();
}

std::string MemoryLedger::LoggedMoney(absl::string_view event_id) {
  absl::StatusOr<std::optional<LoggedEvent>> found = FindByEventId(event_id);
  if (!found.ok() || !found->has_value()) return absl::StrCat("no event ", event_id);
  absl::StatusOr<Effects> money = MoneyEffectsOf((*found)->payload, *this);
  return money.ok() ? RenderMoney(*money) : RenderStatus(money.status());
}

std::string MemoryLedger::StoredBeneficiary(absl::string_view id) {
  absl::StatusOr<std::optional<v1::Beneficiary>> row = books_.FindBeneficiary(id);
  if (!row.ok()) return RenderStatus(row.status());
  return row->has_value() ? RenderBeneficiary(**row) : "";
}

std::string MemoryLedger::StoredBranch(absl::string_view id) {
  absl::StatusOr<std::optional<v1::Branch>> row = books_.FindBranch(id);
  if (!row.ok()) return RenderStatus(row.status());
  return row->has_value() ? RenderBranch(**row) : "";
}

std::string RenderMoney(const Effects& e) {
  std::string out;
  for (const Posting& p : e.postings) {
    if (p.debit_minor != 0 || p.credit_minor == 0) {
      absl::StrAppend(&out, "Dr ", p.account, " ", p.debit_minor, " ", p.currency, "\n");
    }
    if (p.credit_minor != 0) {
      absl::StrAppend(&out, "Cr ", p.account, " ", p.credit_minor, " ", p.currency, "\n");
    }
  }
  for (const v1::FundBalance& f : e.funds) {
    absl::StrAppend(
        &out, "fund ", f.fund(), " ", f.currency(), Counter("received", f.received_minor()),
        Counter("in", f.allocated_in_minor()), Counter("out", f.allocated_out_minor()),
        Counter("disbursed", f.disbursed_minor()), Counter("available", f.available_minor()),
        Counter("committed", f.committed_minor()), "\n");
  }
  for (const auto& [branch, t] : e.branches) {
    absl::StrAppend(&out, "branch ", branch, " ", BranchTotalsText(t), "\n");
  }
  absl::StrAppend(&out, "totals", Counter("events", e.totals.event_count()),
                  Counter("reversals", e.totals.reversal_count()));
  for (const v1::CurrencyTotals& c : e.totals.currencies()) {
    absl::StrAppend(&out, " ", c.currency(), Counter("raised", c.raised_minor()),
                    Counter("disbursed", c.disbursed_minor()), Counter("held", c.held_minor()));
  }
  absl::StrAppend(&out, "\n");
  return out;
}

std::string RenderRegisters(const Effects& e) {
  std::string out;
  for (const v1::Beneficiary& b : e.beneficiary_rows)
    absl::StrAppend(&out, RenderBeneficiary(b), "\n");
  for (const v1::Branch& b : e.branch_rows) absl::StrAppend(&out, RenderBranch(b), "\n");
  for (const auto& [position, mark] : e.reversal_marks) {
    absl::StrAppend(&out, "mark #", position, " by=", mark.reversed_by_position(),
                    " amount=", mark.amount_minor(), "\n");
  }
  return out;
}

std::string Render(const Effects& effects) {
  return absl::StrCat(RenderMoney(effects), RenderRegisters(effects));
}

std::string Render(const absl::StatusOr<Effects>& decided) {
  return decided.ok() ? Render(*decided) : RenderStatus(decided.status());
}

std::string RenderStatus(const absl::Status& status) {
  if (status.ok()) return "OK";
  std::optional<v1::ErrorDetail> d = GetErrorDetail(status);
  if (!d)
    return absl::StrCat(absl::StatusCodeToString(status.code()), " (no detail) ", status.message());
  std::string out =
      absl::StrCat(absl::StatusCodeToString(status.code()), " ", d->reason(),
                   Text("field", d->field()), Text("date", d->date()), Text("fund", d->fund()));
  if (d->has_available()) absl::StrAppend(&out, " available=", MoneyText(d->available()));
  if (d->has_requested()) absl::StrAppend(&out, " requested=", MoneyText(d->requested()));
  absl::StrAppend(&out, Text("event_id", d->event_id()), Counter("position", d->position()),
                  Counter("approvals_needed", d->approvals_needed()),
                  Counter("approvals_given", d->approvals_given()));
  return out;
}

std::string RenderBeneficiary(const v1::Beneficiary& b) {
  return absl::StrCat(
      "ben ", b.beneficiary_id(), " ", StatusName(b.status()), " ", Quoted(b.display_name()),
      b.purpose().empty() ? "" : absl::StrCat(" purpose=", Quoted(b.purpose())),
      b.sensitive() ? " sensitive" : "", " registered=", b.registered_on(), "@",
      b.registered_position(), Text("closed", b.closed_on()),
      b.currencies().empty() ? ""
                             : absl::StrCat(" currencies=", absl::StrJoin(b.currencies(), ",")));
}

std::string RenderBranch(const v1::Branch& b) {
  std::vector<std::string> totals;
  for (const v1::BranchTotals& t : b.totals()) totals.push_back(BranchTotalsText(t));
  return absl::StrCat("br ", b.branch_id(), " ", StatusName(b.status()), " ",
                      Quoted(b.union_name()), " ", Quoted(b.branch_name()),
                      Text("region", b.region()), Counter("members", b.members()),
                      " fee=", FeeBasisText(b.fee_basis()), " affiliated=", b.affiliated_on(), "@",
                      b.first_affiliated_position(), Text("disaffiliated", b.disaffiliated_on()),
                      " periods=", b.periods_paid(), " paid_until=", b.paid_until(),
                      Counter("fees_from", b.current_fees_from_position()),
                      Text("last_payment", b.last_payment_on()),
                      totals.empty() ? "" : absl::StrCat(" totals=", absl::StrJoin(totals, ",")));
}

v1::EventInput Update(absl::string_view id, absl::string_view display_name,
                      absl::string_view purpose) {
  v1::EventInput in = Beneficiary(id);
  in.set_event_id(absl::StrCat("upd-", in.event_id()));
  v1::BeneficiaryUpdated* u = in.mutable_body()->mutable_beneficiary_updated();
  u->set_beneficiary_id(std::string(id));
  u->set_display_name(std::string(display_name));
  u->set_purpose(std::string(purpose));
  return in;
}

v1::EventInput PerMemberBranch(absl::string_view id, int64_t members,
                               const v1::Money& fee_per_member, const v1::Money& minimum,
                               v1::FeePeriod period) {
  v1::EventInput in = Branch(id);
  v1::BranchAffiliated* e = in.mutable_body()->mutable_branch_affiliated();
  e->set_members(members);
  e->mutable_fee_basis()->Clear();
  e->mutable_fee_basis()->set_period(period);
  *e->mutable_fee_basis()->mutable_per_member()->mutable_fee_per_member() = fee_per_member;
  *e->mutable_fee_basis()->mutable_per_member()->mutable_minimum() = minimum;
  return in;
}

void ExpectStage1(const v1::EventInput& base, const std::vector<FieldCase>& cases) {
  EXPECT_EQ(RenderStatus(ValidateInput(base)), "OK") << "the base input must pass stage 1";
  for (const FieldCase& c : cases) {
    v1::EventInput in = base;
    c.edit(in);
    EXPECT_EQ(RenderStatus(ValidateInput(in)), c.want) << c.name;
  }
}

}  // namespace ledger::testing
