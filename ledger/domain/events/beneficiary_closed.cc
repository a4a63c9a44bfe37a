// BeneficiaryClosed: a fund is closed. It must hold nothing in any currency,
// and (when recorded) be dated neither before its registration nor before
// its last movement.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "beneficiary_closed";

absl::Status NotEmpty(const std::string& fund, const v1::FundBalance& f) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonBalanceNotZero);
  detail.set_field(events::FieldOf(kName, "beneficiary_id"));
  detail.set_fund(fund);
  detail.mutable_available()->set_amount_minor(f.available_minor());
  detail.mutable_available()->set_currency(f.currency());
  return WithDetail(absl::StatusCode::kFailedPrecondition,
                    absl::StrCat("body.beneficiary_closed.beneficiary_id: fund:", fund,
                                 " still holds ", FormatAmount(f.available_minor(), f.currency()),
                                 "; only a fund at zero can be closed"),
                    detail);
}

class BeneficiaryClosed final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kBeneficiaryClosed; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.beneficiary_closed();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().beneficiary_closed();
    ASSIGN_OR_RETURN(
        v1::Beneficiary b,
        LoadOpenBeneficiary(books, e.beneficiary_id(), events::FieldOf(kName, "beneficiary_id")));
    const std::string fund = BeneficiaryFund(b.beneficiary_id());
    for (const std::string& cur : b.currencies()) {
      ASSIGN_OR_RETURN(v1::FundBalance f, books.Fund(fund, cur));
      if (f.available_minor() != 0) return NotEmpty(fund, f);
    }
    if (d.dated()) RETURN_IF_ERROR(CheckDates(d.occurred_on(), b, books));
    b.set_status(v1::STATUS_CLOSED);
    b.set_closed_on(d.occurred_on());
    out.beneficiary_rows.push_back(std::move(b));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("beneficiary ", body.beneficiary_closed().beneficiary_id(), " closed");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.beneficiary_id = body.beneficiary_closed().beneficiary_id();
    d.details = body.beneficiary_closed().reason();
    return d;
  }

 private:
  // Not before the registration, and not before the last movement in any
  // currency: the fund is empty on every day from the close on.
  static absl::Status CheckDates(const std::string& on, const v1::Beneficiary& b, Books& books) {
    RETURN_IF_ERROR(CheckDatedAfterRegistration(on, b));
    const std::string fund = BeneficiaryFund(b.beneficiary_id());
    std::string last;
    for (const std::string& cur : b.currencies()) {
      ASSIGN_OR_RETURN(std::vector<DayChange> days, books.FundDaysFrom(fund, cur, on));
      if (!days.empty() && days.back().day > on && days.back().day > last) last = days.back().day;
    }
    return CheckNotBefore(on, last, kReasonDateBeforeLastMovement,
                          absl::StrCat("the last movement of fund:", fund));
  }
};

}  // namespace

const EventKind& BeneficiaryClosedKind() {
  static const BeneficiaryClosed kind;
  return kind;
}

}  // namespace ledger
