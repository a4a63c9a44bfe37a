#include "ledger/domain/registry.h"

#include <algorithm>

#include "ledger/check.h"

// Every event kind, one line each: X(Name) names the function
// `const EventKind& NameKind()` defined in ledger/domain/events/.
#define LEDGER_EVENT_KINDS(X) \
  X(LedgerOpened)             \
  X(BeneficiaryRegistered)    \
  X(BeneficiaryUpdated)       \
  X(BeneficiaryClosed)        \
  X(BranchAffiliated)         \
  X(BranchDisaffiliated)      \
  X(AffiliationFeePaid)       \
  X(DonationReceived)         \
  X(FundsAllocated)           \
  X(DisbursementMade)         \
  X(EventReversed)            \
  X(BranchUpdated)            \
  X(PartyErased)              \
  X(EventDetailsErased)       \
  X(MemberAdded)              \
  X(MemberRolesChanged)       \
  X(MemberRemoved)            \
  X(TokenIssued)              \
  X(TokenRevoked)             \
  X(DisbursementRequested)    \
  X(DisbursementApproved)     \
  X(DisbursementRejected)     \
  X(DisbursementCancelled)    \
  X(ApprovalPolicySet)        \
  X(PeriodCloseProposed)      \
  X(PeriodClosed)             \
  X(FundsTransferred)

namespace ledger {

#define LEDGER_DECLARE_KIND(Name) const EventKind& Name##Kind();
LEDGER_EVENT_KINDS(LEDGER_DECLARE_KIND)
#undef LEDGER_DECLARE_KIND

namespace {

struct Registry {
  std::vector<const EventKind*> kinds;
  std::vector<const EventKind*> by_case;  // indexed by EventBody::KindCase

  Registry() {
#define LEDGER_ADD_KIND(Name) kinds.push_back(&Name##Kind());
    LEDGER_EVENT_KINDS(LEDGER_ADD_KIND)
#undef LEDGER_ADD_KIND
    const google::protobuf::OneofDescriptor* oneof =
        v1::EventBody::descriptor()->FindOneofByName("kind");
    LEDGER_CHECK(oneof != nullptr);
    int max_case = 0;
    for (int i = 0; i < oneof->field_count(); ++i) {
      max_case = std::max(max_case, oneof->field(i)->number());
    }
    by_case.assign(static_cast<size_t>(max_case) + 1, nullptr);
    for (const EventKind* k : kinds) {
      const int c = static_cast<int>(k->kind_case());
      LEDGER_CHECK(c > 0 && c <= max_case);
      LEDGER_CHECK(by_case[c] == nullptr);  // one kind per case
      LEDGER_CHECK(oneof->field(0)->containing_type()->FindFieldByNumber(c)->name() == k->name());
      by_case[c] = k;
    }
    // Every case of EventBody has its kind.
    for (int i = 0; i < oneof->field_count(); ++i) {
      LEDGER_CHECK(by_case[oneof->field(i)->number()] != nullptr);
    }
    std::sort(kinds.begin(), kinds.end(), [](const EventKind* a, const EventKind* b) {
      return a->kind_case() < b->kind_case();
    });
  }
};

const Registry& TheRegistry() {
  static const Registry* registry = new Registry();
  return *registry;
}

}  // namespace

const EventKind* KindOf(v1::EventBody::KindCase kind_case) {
  const Registry& r = TheRegistry();
  const auto c = static_cast<size_t>(kind_case);
  return c < r.by_case.size() ? r.by_case[c] : nullptr;
}

const EventKind* KindOf(const v1::EventBody& body) { return KindOf(body.kind_case()); }

const std::vector<const EventKind*>& AllKinds() { return TheRegistry().kinds; }

absl::string_view KindName(const v1::EventBody& body) {
  const EventKind* kind = KindOf(body);
  return kind == nullptr ? "unknown" : kind->name();
}

std::optional<Movement> MovementOf(const v1::EventBody& body) {
  const EventKind* kind = KindOf(body);
  return kind == nullptr ? std::nullopt : kind->MovementOf(body);
}

EventDetails DetailsOf(const v1::EventBody& body) {
  const EventKind* kind = KindOf(body);
  return kind == nullptr ? EventDetails() : kind->Details(body);
}

std::string DescribeEvent(const v1::EventBody& body) {
  const EventKind* kind = KindOf(body);
  return kind == nullptr ? "(unknown event)" : kind->Describe(body);
}

}  // namespace ledger
