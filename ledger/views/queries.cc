#include "ledger/views/queries.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/fees.h"
#include "ledger/domain/ids.h"
#include "ledger/domain/money.h"
#include "ledger/domain/registry.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/projections/keys.h"
#include "ledger/storage/rows.h"

namespace ledger {
namespace {

template <typename M>
absl::StatusOr<M> Parse(absl::string_view key, absl::string_view value) {
  M m;
  if (!m.ParseFromString(std::string(value))) {
    return absl::DataLossError(absl::StrCat("state row \"", key, "\" cannot be decoded"));
  }
  return m;
}

// Runs `fn` over every row under `prefix`, decoded as M.
template <typename M, typename Fn>
absl::Status ForEach(ReadView& view, absl::string_view prefix, Fn fn) {
  absl::Status inner;
  RETURN_IF_ERROR(view.Scan(prefix, [&](absl::string_view key, absl::string_view value) {
    absl::StatusOr<M> m = Parse<M>(key, value);
    if (!m.ok()) {
      inner = m.status();
      return false;
    }
    inner = fn(*m);
    return inner.ok();
  }));
  return inner;
}

absl::StatusOr<v1::BeneficiaryView> ViewOf(ReadView& view, const v1::Beneficiary& b,
                                           const DetailAccess& access) {
  v1::BeneficiaryView out;
  *out.mutable_beneficiary() = b;
  if (b.purpose_position() != 0) {
    // A sensitive fund's purpose, from the event that set it.
    ASSIGN_OR_RETURN(Details d, ReadDetailsAt(view, b.purpose_position(), access));
    if (d.fields) {
      const v1::EventBody& body = d.fields->body();
      out.mutable_beneficiary()->set_purpose(body.has_beneficiary_registered()
                                                 ? body.beneficiary_registered().purpose()
                                                 : body.beneficiary_updated().purpose());
    }
  }
  // A fund made sensitive after its purpose was recorded in public.
  if (b.sensitive() && !access.allowed) out.mutable_beneficiary()->clear_purpose();
  RETURN_IF_ERROR(ForEach<v1::FundBalance>(view, FundPrefix(BeneficiaryFund(b.beneficiary_id())),
                                           [&](const v1::FundBalance& f) {
                                             *out.add_balances() = f;
                                             return absl::OkStatus();
                                           }));
  return out;
}

absl::StatusOr<v1::BranchView> BranchViewOf(const v1::Branch& b, absl::CivilDay today) {
  v1::BranchView out;
  *out.mutable_branch() = b;
  // paid_until is the first day no paid fee covers: from that day the
  // period that begins then is owed, so a branch that has paid nothing owes
  // its first period from the day it affiliates. Compared as days, not
  // strings.
  absl::StatusOr<absl::CivilDay> paid_until = ParseDate(b.paid_until());
  out.set_in_arrears(b.status() == v1::STATUS_OPEN && paid_until.ok() && *paid_until <= today);
  ASSIGN_OR_RETURN(int64_t fee, FeePerPeriodOn(b, FormatDate(today)));
  out.mutable_fee_per_period()->set_amount_minor(fee);
  out.mutable_fee_per_period()->set_currency(FeeCurrency(b.fee_basis()));
  return out;
}

absl::Status CheckQueryId(absl::string_view field, absl::string_view id) {
  if (!IsValidId(id)) {
    return InvalidField(field, absl::StrCat("\"", id.substr(0, 80),
                                            "\" is not a valid id (1-64 of a-z 0-9 . _ -)"));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// A fund made sensitive after some of its events were recorded: their
// purposes went into the public part then; a reader without the details
// does not get them now either (the record keeps them: its hash covers
// them).
absl::Status HideSensitivePurpose(ReadView& view, v1::EventBody& body) {
  std::string* purpose = nullptr;
  std::string id;
  switch (body.kind_case()) {
    case v1::EventBody::kBeneficiaryRegistered:
      id = body.beneficiary_registered().beneficiary_id();
      purpose = body.mutable_beneficiary_registered()->mutable_purpose();
      break;
    case v1::EventBody::kBeneficiaryUpdated:
      id = body.beneficiary_updated().beneficiary_id();
      purpose = body.mutable_beneficiary_updated()->mutable_purpose();
      break;
    case v1::EventBody::kDisbursementMade:
      id = body.disbursement_made().beneficiary_id();
      purpose = body.mutable_disbursement_made()->mutable_purpose();
      break;
    default:
      return absl::OkStatus();
  }
  if (purpose->empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b,
                   view.Load<v1::Beneficiary>(BeneficiaryKey(id)));
  if (b && b->sensitive()) purpose->clear();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Event> ToApiEvent(ReadView& view, const StoredEvent& stored,
                                     const DetailAccess& access) {
  v1::Event e;
  e.set_position(stored.position);
  e.set_event_id(stored.payload.event_id());
  e.set_recorded_at_us(stored.payload.recorded_at_us());
  e.set_occurred_on(stored.payload.occurred_on());
  e.set_actor(stored.payload.actor());
  e.set_memo(stored.payload.memo());
  *e.mutable_body() = stored.payload.body();
  e.set_prev_hash(stored.prev_hash);
  e.set_hash(stored.hash);
  ASSIGN_OR_RETURN(std::optional<v1::ReversalMark> mark,
                   view.Load<v1::ReversalMark>(ReversalKey(stored.position)));
  if (mark) e.set_reversed_by_position(mark->reversed_by_position());
  e.set_private_commitment(stored.payload.private_commitment());
  ASSIGN_OR_RETURN(Details details, ReadDetails(view, stored, access));
  e.set_private_details(details.state);
  if (details.fields) {
    e.set_actor(details.fields->actor());
    e.set_memo(details.fields->memo());
    e.mutable_body()->MergeFrom(details.fields->body());
  }
  if (!access.allowed) RETURN_IF_ERROR(HideSensitivePurpose(view, *e.mutable_body()));
  return e;
}

absl::StatusOr<v1::Event> GetApiEvent(ReadView& view, uint64_t position,
                                      const DetailAccess& access) {
  ASSIGN_OR_RETURN(StoredEvent stored, view.GetEvent(position));
  return ToApiEvent(view, stored, access);
}

v1::Head HeadOf(ReadView& view) {
  v1::Head head;
  head.set_position(view.head_position());
  head.set_hash(view.head_hash());
  return head;
}

absl::StatusOr<v1::GetSummaryResponse> QuerySummary(ReadView& view) {
  v1::GetSummaryResponse out;
  *out.mutable_as_of() = HeadOf(view);
  out.set_ledger_id(view.ledger_id());
  out.set_ledger_name(view.ledger_name());
  ASSIGN_OR_RETURN(std::optional<v1::LedgerTotals> totals, view.Load<v1::LedgerTotals>(kTotalsKey));
  if (totals) *out.mutable_totals() = *totals;
  RETURN_IF_ERROR(
      ForEach<v1::FundBalance>(view, FundPrefix(kGeneralFund), [&](const v1::FundBalance& f) {
        *out.add_general_fund() = f;
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<v1::ListBeneficiariesResponse> QueryBeneficiaries(ReadView& view,
                                                                 bool include_closed,
                                                                 const DetailAccess& access) {
  v1::ListBeneficiariesResponse out;
  *out.mutable_as_of() = HeadOf(view);
  RETURN_IF_ERROR(ForEach<v1::Beneficiary>(
      view, kBeneficiaryKeyPrefix, [&](const v1::Beneficiary& b) -> absl::Status {
        if (!include_closed && b.status() != v1::STATUS_OPEN) return absl::OkStatus();
        ASSIGN_OR_RETURN(v1::BeneficiaryView bv, ViewOf(view, b, access));
        *out.add_beneficiaries() = std::move(bv);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<v1::BeneficiaryView> QueryBeneficiary(ReadView& view, absl::string_view id,
                                                     const DetailAccess& access) {
  RETURN_IF_ERROR(CheckQueryId("beneficiary_id", id));
  ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b,
                   view.Load<v1::Beneficiary>(BeneficiaryKey(id)));
  if (!b) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownBeneficiary,
                   absl::StrCat("no beneficiary \"", id, "\""), "beneficiary_id");
  }
  return ViewOf(view, *b, access);
}

absl::StatusOr<v1::ListBranchesResponse> QueryBranches(ReadView& view, bool include_disaffiliated,
                                                       absl::CivilDay today) {
  v1::ListBranchesResponse out;
  *out.mutable_as_of() = HeadOf(view);
  out.set_today(FormatDate(today));
  RETURN_IF_ERROR(
      ForEach<v1::Branch>(view, kBranchKeyPrefix, [&](const v1::Branch& b) -> absl::Status {
        if (!include_disaffiliated && b.status() != v1::STATUS_OPEN) return absl::OkStatus();
        ASSIGN_OR_RETURN(v1::BranchView bv, BranchViewOf(b, today));
        *out.add_branches() = std::move(bv);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<v1::BranchView> QueryBranch(ReadView& view, absl::string_view id,
                                           absl::CivilDay today) {
  RETURN_IF_ERROR(CheckQueryId("branch_id", id));
  ASSIGN_OR_RETURN(std::optional<v1::Branch> b, view.Load<v1::Branch>(BranchKey(id)));
  if (!b) {
    return Refusal(absl::StatusCode::kNotFound, kReasonUnknownBranch,
                   absl::StrCat("no branch \"", id, "\""), "branch_id");
  }
  return BranchViewOf(*b, today);
}

absl::StatusOr<v1::GetTrialBalanceResponse> QueryTrialBalance(ReadView& view) {
  v1::GetTrialBalanceResponse out;
  *out.mutable_as_of() = HeadOf(view);
  std::map<std::string, v1::TrialBalanceTotal> totals;
  RETURN_IF_ERROR(
      ForEach<v1::AccountBalance>(view, kAccountKeyPrefix, [&](const v1::AccountBalance& a) {
        *out.add_accounts() = a;
        v1::TrialBalanceTotal& t = totals[a.currency()];
        t.set_currency(a.currency());
        // Each account is checked on its own; their sum is checked here.
        std::optional<int64_t> debits = CheckedAdd(t.debits_minor(), a.debits_minor());
        std::optional<int64_t> credits = CheckedAdd(t.credits_minor(), a.credits_minor());
        if (!debits || !credits) {
          return absl::OutOfRangeError(
              absl::StrCat("the ", a.currency(), " trial balance overflows int64"));
        }
        t.set_debits_minor(*debits);
        t.set_credits_minor(*credits);
        return absl::OkStatus();
      }));
  bool balanced = true;
  for (auto& [cur, t] : totals) {
    if (t.debits_minor() != t.credits_minor()) balanced = false;
    *out.add_totals() = t;
  }
  out.set_balanced(balanced);
  return out;
}

absl::StatusOr<v1::ReadEventsResponse> QueryEvents(ReadView& view, uint64_t from, uint32_t limit,
                                                   const DetailAccess& access) {
  if (from == 0) from = 1;
  if (limit == 0) limit = kDefaultReadEventsPage;
  if (limit > kMaxReadEventsPage) limit = kMaxReadEventsPage;
  v1::ReadEventsResponse out;
  *out.mutable_head() = HeadOf(view);
  absl::Status inner;
  RETURN_IF_ERROR(view.ScanEvents(from, [&](const StoredEvent& e) {
    // ScanEvents hands the positions over in order, without gaps.
    LEDGER_CHECK(e.position == from + static_cast<uint64_t>(out.events_size()));
    absl::StatusOr<v1::Event> api = ToApiEvent(view, e, access);
    if (!api.ok()) {
      inner = api.status();
      return false;
    }
    *out.add_events() = std::move(*api);
    return static_cast<uint32_t>(out.events_size()) < limit;
  }));
  RETURN_IF_ERROR(inner);
  out.set_next_position(out.events_size() > 0 ? out.events(out.events_size() - 1).position() + 1
                                              : std::max<uint64_t>(from, view.head_position() + 1));
  return out;
}

absl::StatusOr<v1::Event> QueryEvent(ReadView& view, const v1::GetEventRequest& request,
                                     const DetailAccess& access) {
  uint64_t position = 0;
  switch (request.key_case()) {
    case v1::GetEventRequest::kPosition:
      position = request.position();
      if (position == 0) return InvalidField("position", "must be 1 or more");
      break;
    case v1::GetEventRequest::kEventId: {
      RETURN_IF_ERROR(CheckQueryId("event_id", request.event_id()));
      ASSIGN_OR_RETURN(std::optional<uint64_t> found, view.FindEventId(request.event_id()));
      if (!found) {
        return Refusal(absl::StatusCode::kNotFound, kReasonUnknownEvent,
                       absl::StrCat("no event \"", request.event_id(), "\""), "event_id");
      }
      position = *found;
      break;
    }
    case v1::GetEventRequest::KEY_NOT_SET:
      return InvalidField("key", "give a position or an event_id");
  }
  if (position > view.head_position()) {
    return Refusal(
        absl::StatusCode::kNotFound, kReasonUnknownEvent,
        absl::StrCat("no event at position ", position, " (head is ", view.head_position(), ")"),
        "position");
  }
  return GetApiEvent(view, position, access);
}

}  // namespace ledger
