// BeneficiaryRegistered: a fund is opened for one beneficiary. Money given to
// it is restricted: it is spent only on this beneficiary.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "beneficiary_registered";

class BeneficiaryRegistered final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override {
    return v1::EventBody::kBeneficiaryRegistered;
  }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.beneficiary_registered();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(
        CheckName(events::FieldOf(kName, "display_name"), e.display_name(), Presence::kRequired));
    RETURN_IF_ERROR(CheckMemo(events::FieldOf(kName, "purpose"), e.purpose(), Presence::kOptional));
    if (e.purpose_private()) {
      return InvalidField(events::FieldOf(kName, "purpose_private"), "is set by the server");
    }
    return absl::OkStatus();
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().beneficiary_registered();
    ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> existing,
                     books.FindBeneficiary(e.beneficiary_id()));
    if (existing) {
      const std::string field = events::FieldOf(kName, "beneficiary_id");
      return Refusal(
          absl::StatusCode::kAlreadyExists, kReasonBeneficiaryExists,
          absl::StrCat(field, ": beneficiary \"", e.beneficiary_id(), "\" already exists"), field);
    }
    v1::Beneficiary b;
    b.set_beneficiary_id(e.beneficiary_id());
    b.set_display_name(e.display_name());
    b.set_purpose(e.purpose());
    b.set_sensitive(e.sensitive());
    b.set_status(v1::STATUS_OPEN);
    b.set_registered_position(d.position);
    b.set_registered_on(d.occurred_on());
    // A sensitive fund's purpose is in this event's private part.
    if (e.purpose_private()) b.set_purpose_position(d.position);
    out.beneficiary_rows.push_back(std::move(b));
    return absl::OkStatus();
  }

  absl::StatusOr<bool> ConcernsSensitiveFund(const v1::EventBody& body, Books&) const override {
    return body.beneficiary_registered().sensitive();
  }

  void NotePrivate(const v1::EventPayload& details, v1::EventBody& public_body) const override {
    if (!details.body().beneficiary_registered().purpose().empty()) {
      public_body.mutable_beneficiary_registered()->set_purpose_private(true);
    }
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.beneficiary_registered();
    return absl::StrCat("beneficiary ", e.beneficiary_id(), " registered: ", e.display_name());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.beneficiary_registered();
    EventDetails d;
    d.beneficiary_id = e.beneficiary_id();
    d.name = e.display_name();
    d.details = e.purpose();
    return d;
  }
};

}  // namespace

const EventKind& BeneficiaryRegisteredKind() {
  static const BeneficiaryRegistered kind;
  return kind;
}

}  // namespace ledger
