// BeneficiaryUpdated: the public details of a fund change. Fields left empty
// keep their value. A rename is public by design: the old name stays in the
// log.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "beneficiary_updated";

class BeneficiaryUpdated final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kBeneficiaryUpdated; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.beneficiary_updated();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "beneficiary_id"), e.beneficiary_id()));
    RETURN_IF_ERROR(
        CheckName(events::FieldOf(kName, "display_name"), e.display_name(), Presence::kOptional));
    RETURN_IF_ERROR(CheckMemo(events::FieldOf(kName, "purpose"), e.purpose(), Presence::kOptional));
    if (e.purpose_private()) {
      return InvalidField(events::FieldOf(kName, "purpose_private"), "is set by the server");
    }
    if (e.display_name().empty() && e.purpose().empty() && !e.has_sensitive()) {
      return InvalidField("body.beneficiary_updated",
                          "changes nothing (give display_name, purpose or sensitive)");
    }
    return absl::OkStatus();
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().beneficiary_updated();
    ASSIGN_OR_RETURN(
        v1::Beneficiary b,
        LoadOpenBeneficiary(books, e.beneficiary_id(), events::FieldOf(kName, "beneficiary_id")));
    if (d.dated()) RETURN_IF_ERROR(CheckDatedAfterRegistration(d.occurred_on(), b));
    if (e.has_sensitive() && !e.sensitive() && b.sensitive()) {
      return Refusal(
          absl::StatusCode::kFailedPrecondition, kReasonAlreadySensitive,
          absl::StrCat(events::FieldOf(kName, "sensitive"), ": fund ", e.beneficiary_id(),
                       " is sensitive and cannot be made public again"),
          events::FieldOf(kName, "sensitive"));
    }
    // From now on its purpose is private: readers without the details no
    // longer get the current one (it stays in the public parts of the
    // events recorded before, which their hashes cover).
    if (e.has_sensitive() && e.sensitive()) b.set_sensitive(true);
    if (!e.display_name().empty()) b.set_display_name(e.display_name());
    if (e.purpose_private()) {
      b.set_purpose_position(d.position);
    } else if (!e.purpose().empty()) {
      b.set_purpose(e.purpose());
    }
    out.beneficiary_rows.push_back(std::move(b));
    return absl::OkStatus();
  }

  void NotePrivate(const v1::EventPayload& details, v1::EventBody& public_body) const override {
    if (!details.body().beneficiary_updated().purpose().empty()) {
      public_body.mutable_beneficiary_updated()->set_purpose_private(true);
    }
  }

  // Sensitive already, or being made so now (its purpose is then private).
  absl::StatusOr<bool> ConcernsSensitiveFund(const v1::EventBody& body,
                                             Books& books) const override {
    const auto& e = body.beneficiary_updated();
    if (e.has_sensitive() && e.sensitive()) return true;
    ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b, books.FindBeneficiary(e.beneficiary_id()));
    return b && b->sensitive();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("beneficiary ", body.beneficiary_updated().beneficiary_id(), " updated");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.beneficiary_updated();
    EventDetails d;
    d.beneficiary_id = e.beneficiary_id();
    d.name = e.display_name();
    d.details = e.purpose();
    return d;
  }
};

}  // namespace

const EventKind& BeneficiaryUpdatedKind() {
  static const BeneficiaryUpdated kind;
  return kind;
}

}  // namespace ledger
