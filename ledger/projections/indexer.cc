#include "ledger/projections/indexer.h"

#include "ledger/projections/apply.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

// The projections: current balances, registers, delta rows.
class ProjectionIndexer final : public Indexer {
 public:
  absl::string_view name() const override { return "projections"; }
  absl::Status Index(const IndexedEvent& e, StateView& rows) override {
    return ApplyEffects(rows, e.position, e.payload->occurred_on(), *e.effects);
  }
};

}  // namespace

const std::vector<Indexer*>& DefaultIndexers() {
  static auto* projections = new ProjectionIndexer();
  static const auto* all = new std::vector<Indexer*>{projections};
  return *all;
}

absl::Status IndexEvent(const IndexedEvent& event, StateView& rows) {
  for (Indexer* indexer : DefaultIndexers()) RETURN_IF_ERROR(indexer->Index(event, rows));
  return absl::OkStatus();
}

}  // namespace ledger
