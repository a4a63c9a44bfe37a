// EventReversed: undoes the money effect of an earlier event, wholly or in
// part. The original stays in the log and is shown as reversed; an event is
// reversed at most once.
//
//   the original's postings with debit and credit swapped, for the amount
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/registry.h"

namespace ledger {
namespace {

constexpr char kName[] = "event_reversed";
constexpr char kTargetField[] = "body.event_reversed.target_event_id";

std::string ReversalKindName(v1::ReversalKind kind) {
  switch (kind) {
    case v1::REVERSAL_KIND_REFUND:
      return "refund";
    case v1::REVERSAL_KIND_CORRECTION:
      return "correction";
    case v1::REVERSAL_KIND_DUPLICATE:
      return "duplicate";
    case v1::REVERSAL_KIND_CHARGEBACK:
      return "chargeback";
    default:
      return "";
  }
}

// "a branch_affiliated", "an event_reversed".
std::string WithArticle(absl::string_view noun) {
  const bool vowel =
      !noun.empty() && absl::string_view("aeiou").find(noun[0]) != absl::string_view::npos;
  return absl::StrCat(vowel ? "an " : "a ", noun);
}

absl::Status AlreadyReversed(const v1::EventReversed& e, const v1::ReversalMark& mark) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonAlreadyReversed);
  detail.set_field(kTargetField);
  detail.set_event_id(e.target_event_id());
  detail.set_position(mark.reversed_by_position());
  return WithDetail(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat(kTargetField, ": event \"", e.target_event_id(),
                   "\" was already reversed at position ", mark.reversed_by_position()),
      detail);
}

// The amount to reverse: the reversal's own, at most the original's and in
// its currency; or, when none is given, the whole original amount.
absl::StatusOr<int64_t> AmountToReverse(const v1::EventReversed& e, const Movement& original) {
  if (!e.has_amount() || e.amount().amount_minor() == 0) return original.amount_minor;
  if (e.amount().currency() != original.currency) {
    return InvalidField("body.event_reversed.amount.currency",
                        absl::StrCat("must be the original's currency, ", original.currency));
  }
  if (e.amount().amount_minor() > original.amount_minor) {
    return InvalidField("body.event_reversed.amount",
                        absl::StrCat(FormatAmount(e.amount().amount_minor(), original.currency),
                                     " is more than the original ",
                                     FormatAmount(original.amount_minor, original.currency)));
  }
  return e.amount().amount_minor();
}

class EventReversed final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kEventReversed; }
  absl::string_view name() const override { return kName; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.event_reversed();
    RETURN_IF_ERROR(CheckId(kTargetField, e.target_event_id()));
    if (ReversalKindName(e.kind()).empty()) {
      return InvalidField(events::FieldOf(kName, "kind"),
                          "must be refund, correction, duplicate or chargeback");
    }
    if (e.has_amount() && !IsUnsetMoney(e.amount())) {
      RETURN_IF_ERROR(CheckMoney(events::FieldOf(kName, "amount"), e.amount(), true));
    }
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kRequired);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().event_reversed();
    ASSIGN_OR_RETURN(const LoggedEvent target,
                     events::TargetEvent(d, e.target_event_id(), kTargetField));
    const EventKind* kind = KindOf(target.payload.body());
    std::optional<Movement> original =
        kind == nullptr ? std::nullopt : kind->MovementOf(target.payload.body());
    if (!original) {
      return Refusal(absl::StatusCode::kFailedPrecondition, kReasonNotReversible,
                     absl::StrCat(kTargetField, ": event \"", e.target_event_id(), "\" is ",
                                  WithArticle(KindName(target.payload.body())),
                                  ", which moves no money and cannot be reversed"),
                     kTargetField);
    }
    ASSIGN_OR_RETURN(std::optional<v1::ReversalMark> mark, books.FindReversal(target.position));
    if (mark) return AlreadyReversed(e, *mark);
    ASSIGN_OR_RETURN(int64_t amount, AmountToReverse(e, *original));
    if (d.dated()) {
      RETURN_IF_ERROR(CheckNotBefore(
          d.occurred_on(), target.payload.occurred_on(), kReasonDateBeforeTarget,
          absl::StrCat("the event it reverses, \"", e.target_event_id(), "\", is dated")));
    }
    const bool whole = amount == original->amount_minor;
    RETURN_IF_ERROR(kind->DecideReversal(d, target, amount, whole, books, out));
    kind->AddMoneyChanges(target.payload.body(), -amount, out);
    out.AddMovement(ReverseOf(*original, amount));
    v1::ReversalMark new_mark;
    new_mark.set_reversed_by_position(d.position);
    new_mark.set_amount_minor(amount);
    out.reversal_marks.emplace_back(target.position, std::move(new_mark));
    out.totals.set_reversal_count(1);
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    const auto& e = body.event_reversed();
    return absl::StrCat("reversal of ", e.target_event_id(), " ",
                        e.amount().amount_minor() ? events::AmountText(e.amount()) : "in full",
                        ": ", e.reason());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    const auto& e = body.event_reversed();
    EventDetails d;
    d.target_event_id = e.target_event_id();
    d.reversal_kind = ReversalKindName(e.kind());
    d.details = e.reason();
    return d;
  }
};

}  // namespace

const EventKind& EventReversedKind() {
  static const EventReversed kind;
  return kind;
}

}  // namespace ledger
