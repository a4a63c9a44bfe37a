// PartyErased: the private details of one party (a donor, a payee) are
// destroyed. The event names the party only by its keyed id; the writer
// deletes the party's data key, which sealed every private part about them.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

constexpr char kName[] = "party_erased";

class PartyErased final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kPartyErased; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.party_erased();
    RETURN_IF_ERROR(
        CheckName(events::FieldOf(kName, "party_ref"), e.party_ref(), Presence::kRequired));
    if (!e.party_id().empty()) {
      return InvalidField(events::FieldOf(kName, "party_id"), "is set by the server");
    }
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kRequired);
  }

  void Prepare(v1::EventBody& body, const PartyIds& ids) const override {
    auto* e = body.mutable_party_erased();
    e->set_party_id(ids.IdOf(e->party_ref()));
  }

  absl::Status Decide(const Decision& d, Books&, Effects& out) const override {
    const auto& e = d.body().party_erased();
    if (e.party_id().empty()) {
      return InvalidField(events::FieldOf(kName, "party_id"), "is missing (set by the server)");
    }
    out.erased_parties.push_back(e.party_id());
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody&) const override {
    return "private details of a party erased";
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.details = body.party_erased().reason();
    return d;
  }
};

}  // namespace

const EventKind& PartyErasedKind() {
  static const PartyErased kind;
  return kind;
}

}  // namespace ledger
