// DisbursementCancelled: a treasurer withdraws a pending disbursement
// request. The committed money returns to the fund's available balance.
#include "ledger/domain/events/request_release.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_cancelled";

class DisbursementCancelled final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override {
    return v1::EventBody::kDisbursementCancelled;
  }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_TREASURER; }

  absl::Status Validate(const v1::EventBody& body) const override {
    return events::ValidateRelease(kName, body.disbursement_cancelled());
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    return events::DecideRelease(kName, d.body().disbursement_cancelled(),
                                 events::Releaser::kAnyone, v1::REQUEST_STATUS_CANCELLED, d, books,
                                 out);
  }

  void AddCommitments(const v1::EventBody& body, Effects& out) const override {
    events::AddRelease(body.disbursement_cancelled(), out);
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("request ", body.disbursement_cancelled().request_id(),
                        " cancelled: ", body.disbursement_cancelled().reason());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    return events::ReleaseDetails(body.disbursement_cancelled());
  }
};

}  // namespace

const EventKind& DisbursementCancelledKind() {
  static const DisbursementCancelled kind;
  return kind;
}

}  // namespace ledger
