// LedgerOpened: the genesis event, position 1 of every ledger, written by the
// server when the ledger is created. Clients cannot append it.
#include "ledger/domain/events/kind_support.h"

namespace ledger {
namespace {

class LedgerOpened final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kLedgerOpened; }
  absl::string_view name() const override { return "ledger_opened"; }

  absl::Status Validate(const v1::EventBody&) const override {
    return InvalidField("body.ledger_opened", "is written by the server when a ledger is created");
  }

  absl::Status Decide(const Decision& d, Books&, Effects&) const override {
    if (d.position != 1) return InvalidField("body.ledger_opened", "may only be the first event");
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("ledger opened: ", body.ledger_opened().name());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.name = body.ledger_opened().name();
    return d;
  }
};

}  // namespace

const EventKind& LedgerOpenedKind() {
  static const LedgerOpened kind;
  return kind;
}

}  // namespace ledger
