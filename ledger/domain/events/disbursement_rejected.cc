// DisbursementRejected: an approver rejects a pending disbursement request
// (never their own: its requester cancels it instead). The committed money
// returns to the fund's available balance.
#include "ledger/domain/events/request_release.h"

namespace ledger {
namespace {

constexpr char kName[] = "disbursement_rejected";

class DisbursementRejected final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override {
    return v1::EventBody::kDisbursementRejected;
  }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_APPROVER; }

  absl::Status Validate(const v1::EventBody& body) const override {
    return events::ValidateRelease(kName, body.disbursement_rejected());
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    return events::DecideRelease(kName, d.body().disbursement_rejected(),
                                 events::Releaser::kNotTheRequester, v1::REQUEST_STATUS_REJECTED, d,
                                 books, out);
  }

  void AddCommitments(const v1::EventBody& body, Effects& out) const override {
    events::AddRelease(body.disbursement_rejected(), out);
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("request ", body.disbursement_rejected().request_id(),
                        " rejected: ", body.disbursement_rejected().reason());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    return events::ReleaseDetails(body.disbursement_rejected());
  }
};

}  // namespace

const EventKind& DisbursementRejectedKind() {
  static const DisbursementRejected kind;
  return kind;
}

}  // namespace ledger
