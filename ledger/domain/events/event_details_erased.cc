// EventDetailsErased: the private details of one event are destroyed (the
// writer deletes its sealed private part). Its public part, hash and money
// stay.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "event_details_erased";
constexpr char kTargetField[] = "body.event_details_erased.target_event_id";

class EventDetailsErased final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kEventDetailsErased; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.event_details_erased();
    RETURN_IF_ERROR(CheckId(kTargetField, e.target_event_id()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kRequired);
  }

  absl::Status Decide(const Decision& d, Books&, Effects& out) const override {
    const auto& e = d.body().event_details_erased();
    ASSIGN_OR_RETURN(const LoggedEvent target,
                     events::TargetEvent(d, e.target_event_id(), kTargetField));
    if (target.payload.private_commitment().empty()) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonNoPrivateDetails,
                     absl::StrCat(kTargetField, ": event \"", e.target_event_id(),
                                  "\" has no private details"),
                     kTargetField);
    }
    out.erased_event_details.push_back(target.position);
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("private details of event ", body.event_details_erased().target_event_id(),
                        " erased");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.target_event_id = body.event_details_erased().target_event_id();
    d.details = body.event_details_erased().reason();
    return d;
  }
};

}  // namespace

const EventKind& EventDetailsErasedKind() {
  static const EventDetailsErased kind;
  return kind;
}

}  // namespace ledger
