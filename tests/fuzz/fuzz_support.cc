#include "tests/fuzz/fuzz_support.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/stubs/logging.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/fees.h"
#include "ledger/domain/registry.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/projections/books.h"
#include "ledger/projections/indexer.h"
#include "ledger/projections/keys.h"
#include "ledger/status_macros.h"
#include "ledger/storage/rows.h"
#include "ledger/views/queries.h"
#include "ledger/writer/event_log.h"
#include "ledger/writer/requests.h"
#include "services/request_bytes.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger::fuzz {
namespace {

// One event decided against `rows` and indexed into them, as the writer
// does (ledger/writer/requests.h), minus the record and its hash.
absl::Status Apply(uint64_t position, const v1::EventPayload& payload, StateView& rows,
                   EventLookup& lookup, EventChecks checks) {
  RowBooks books(rows);
  ASSIGN_OR_RETURN(Effects effects, Decide(position, payload, books, lookup, checks));
  const std::string bytes = SerializeDeterministic(payload);
  const std::string hash(32, '\0');
  return IndexEvent(IndexedEvent{position, &payload, bytes, hash, &effects}, rows);
}

namespace v1 = ::solidarity::ledger::v1;
using int128 = __int128;

std::string Str(int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  unsigned __int128 m = negative ? -static_cast<unsigned __int128>(v) : v;
  std::string out;
  while (m > 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  }
  return negative ? "-" + out : out;
}

// Finds the events accepted so far (reversal targets).
class MapLookup : public EventLookup {
 public:
  absl::StatusOr<std::optional<LoggedEvent>> FindByEventId(absl::string_view event_id) override {
    auto it = events_.find(std::string(event_id));
    if (it == events_.end()) return std::optional<LoggedEvent>();
    return std::optional<LoggedEvent>(it->second);
  }
  bool Has(absl::string_view event_id) const { return events_.count(std::string(event_id)) > 0; }
  void Add(const LoggedEvent& e) { events_.emplace(e.payload.event_id(), e); }

 private:
  std::map<std::string, LoggedEvent> events_;
};

// A ReadView over an in-memory state and no events, for the queries.
class MemoryReadView : public ReadView {
 public:
  MemoryReadView(MemoryState& state, uint64_t head) : state_(state), head_(head) {}
  uint64_t head_position() const override { return head_; }
  const std::string& head_hash() const override { return hash_; }
  const std::string& ledger_id() const override { return id_; }
  const std::string& ledger_name() const override { return name_; }
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override {
    return state_.Get(key);
  }
  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override {
    return state_.ScanFrom(prefix, start, fn);
  }
  absl::StatusOr<StoredEvent> GetEvent(uint64_t position) override {
    return absl::NotFoundError("no events in a fuzz view");
  }
  absl::StatusOr<std::optional<uint64_t>> FindEventId(absl::string_view) override {
    return std::optional<uint64_t>();
  }
  absl::StatusOr<std::optional<std::string>> GetSealedPart(uint64_t) override {
    return std::optional<std::string>();
  }
  absl::StatusOr<std::optional<std::string>> GetPartyKey(absl::string_view) override {
    return std::optional<std::string>();
  }
  absl::Status ScanEvents(uint64_t, const std::function<bool(const StoredEvent&)>&) override {
    return absl::OkStatus();
  }

 private:
  MemoryState& state_;
  uint64_t head_;
  std::string hash_ = std::string(32, '\0');
  std::string id_ = std::string(32, '0');
  std::string name_ = "fuzz";
};

std::string Render(const MemoryState& state) {
  std::string out;
  for (const auto& [key, value] : state.rows()) {
    if (absl::StartsWith(key, kAccountKeyPrefix)) {
      v1::AccountBalance a;
      a.ParseFromString(value);
      absl::StrAppend(&out, "    ", key, " dr=", a.debits_minor(), " cr=", a.credits_minor(), "\n");
    } else if (absl::StartsWith(key, kFundKeyPrefix)) {
      v1::FundBalance f;
      f.ParseFromString(value);
      absl::StrAppend(&out, "    ", key, " ", f.ShortDebugString(), "\n");
    } else if (key == kTotalsKey) {
      v1::LedgerTotals t;
      t.ParseFromString(value);
      absl::StrAppend(&out, "    totals ", t.ShortDebugString(), "\n");
    }
  }
  return out;
}

// The books balance after an accepted event: per currency, debits minus
// credits over every account is zero; every fund row's available equals its
// account's net credit, is never negative and is what its columns add up to;
// the cash account holds what the totals say is held; a closed beneficiary
// holds nothing; the totals count the events and reversals accepted.
void CheckInvariants(const MemoryState& state, const std::string& after, uint64_t events,
                     uint64_t reversals) {
  std::map<std::string, int128> net;  // currency -> dr - cr
  std::map<std::pair<std::string, std::string>, int128>
      account_credit;  // (account, cur) -> cr - dr
  std::map<std::pair<std::string, std::string>, int128> fund_available;  // (fund, cur)
  for (const auto& [key, value] : state.rows()) {
    if (absl::StartsWith(key, kAccountKeyPrefix)) {
      v1::AccountBalance a;
      FUZZ_CHECK(a.ParseFromString(value), after);
      FUZZ_CHECK(key == AccountKey(a.account(), a.currency()), absl::StrCat(after, ": ", key));
      FUZZ_CHECK(a.debits_minor() >= 0 && a.credits_minor() >= 0, absl::StrCat(after, ": ", key));
      const int128 dr = a.debits_minor(), cr = a.credits_minor();
      net[a.currency()] += dr - cr;
      account_credit[{a.account(), a.currency()}] = cr - dr;
    } else if (absl::StartsWith(key, kFundKeyPrefix)) {
      v1::FundBalance f;
      FUZZ_CHECK(f.ParseFromString(value), after);
      FUZZ_CHECK(key == FundKey(f.fund(), f.currency()), absl::StrCat(after, ": ", key));
      const int128 columns = static_cast<int128>(f.received_minor()) + f.allocated_in_minor() -
                             f.allocated_out_minor() - f.disbursed_minor();
      FUZZ_CHECK(
          columns == f.available_minor(),
          absl::StrCat(after, ": ", key, " columns add up to ", Str(columns), "\n", Render(state)));
      FUZZ_CHECK(f.available_minor() >= 0,
                 absl::StrCat(after, ": ", key, " is overdrawn\n", Render(state)));
      fund_available[{f.fund(), f.currency()}] = f.available_minor();
    }
  }
  // A closed beneficiary's funds are empty (money only leaves or enters an
  // open one).
  for (auto it = state.rows().lower_bound(kBeneficiaryKeyPrefix);
       it != state.rows().end() && absl::StartsWith(it->first, kBeneficiaryKeyPrefix); ++it) {
    v1::Beneficiary b;
    FUZZ_CHECK(b.ParseFromString(it->second), after);
    if (b.status() == v1::STATUS_OPEN) continue;
    for (const auto& [fund_cur, available] : fund_available) {
      FUZZ_CHECK(fund_cur.first != BeneficiaryFund(b.beneficiary_id()) || available == 0,
                 absl::StrCat(after, ": closed beneficiary ", b.beneficiary_id(), " holds ",
                              Str(available), " ", fund_cur.second));
    }
  }
  for (const auto& [currency, sum] : net) {
    FUZZ_CHECK(sum == 0, absl::StrCat(after, ": debits - credits in ", currency, " = ", Str(sum),
                                      "\n", Render(state)));
  }
  for (const auto& [account_cur, credit] : account_credit) {
    const auto& [account, currency] = account_cur;
    if (account == kCashAccount) continue;
    FUZZ_CHECK(absl::StartsWith(account, "fund:"), absl::StrCat(after, ": account ", account));
    auto it = fund_available.find({account.substr(5), currency});
    FUZZ_CHECK(it != fund_available.end(),
               absl::StrCat(after, ": account ", account, " ", currency, " has no fund row"));
    FUZZ_CHECK(it->second == credit,
               absl::StrCat(after, ": ", account, " ", currency, " holds ", Str(credit),
                            " but its fund row says ", Str(it->second), "\n", Render(state)));
  }
  for (const auto& [fund_cur, available] : fund_available) {
    FUZZ_CHECK(account_credit.count({FundAccount(fund_cur.first), fund_cur.second}) == 1,
               absl::StrCat(after, ": fund ", fund_cur.first, " ", fund_cur.second, " (available ",
                            Str(available), ") has no account row"));
  }
  auto totals_it = state.rows().find(kTotalsKey);
  if (totals_it != state.rows().end()) {
    v1::LedgerTotals totals;
    FUZZ_CHECK(totals.ParseFromString(totals_it->second), after);
    FUZZ_CHECK(
        totals.event_count() == events && totals.reversal_count() == reversals,
        absl::StrCat(after, ": totals count ", totals.event_count(), " events, ",
                     totals.reversal_count(), " reversals; accepted ", events, ", ", reversals));
    for (const auto& c : totals.currencies()) {
      const int128 held = static_cast<int128>(c.raised_minor()) - c.disbursed_minor();
      FUZZ_CHECK(held == c.held_minor(), absl::StrCat(after, ": totals ", c.ShortDebugString()));
      auto cash = account_credit.find({kCashAccount, c.currency()});
      const int128 cash_held = cash == account_credit.end() ? 0 : -cash->second;
      FUZZ_CHECK(cash_held == held, absl::StrCat(after, ": cash ", c.currency(), " holds ",
                                                 Str(cash_held), " but totals say ", Str(held)));
    }
  }
}

bool AllowedRefusal(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

v1::EventPayload PayloadOf(const v1::EventInput& in) {
  v1::EventPayload p;
  p.set_event_id(in.event_id());
  p.set_recorded_at_us(1772366400000000);
  p.set_occurred_on(in.occurred_on());
  p.set_actor("fuzz");
  p.set_memo(in.memo());
  *p.mutable_body() = in.body();
  return p;
}

}  // namespace

void QuietProtobufLogs() { google::protobuf::SetLogHandler(nullptr); }

AppendOutcome RunAppendRequest(absl::string_view bytes) {
  AppendOutcome out;
  v1::AppendRequest req;
  // The server's own decoding (ParseRequestBytes): accepts exactly what
  // protobuf accepts without unknown fields, and refuses the rest
  // INVALID_ARGUMENT, naming the field when the fault is text that is not
  // UTF-8 or a field the schema does not define.
  absl::Status decoded = ParseRequestBytes(bytes, &req);
  v1::AppendRequest plain;
  const bool protobuf_ok =
      plain.ParseFromString(std::string(bytes)) && RefuseUnknownFields(plain).ok();
  FUZZ_CHECK(decoded.ok() == protobuf_ok, decoded.ToString());
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.code() == absl::StatusCode::kInvalidArgument, decoded.ToString());
    std::optional<v1::ErrorDetail> detail = GetErrorDetail(decoded);
    FUZZ_CHECK(detail.has_value(), decoded.ToString());
    FUZZ_CHECK(detail->field().empty() || absl::StartsWith(decoded.message(), detail->field()),
               decoded.ToString());
    return out;
  }
  out.parsed = true;
  if (static_cast<size_t>(req.events_size()) > kMaxEventsPerAppend) return out;
  out.events = req.events_size();

  MemoryState state;
  MapLookup lookup;
  std::vector<LoggedEvent> accepted;
  uint64_t reversals = 0;
  uint64_t position = 1;  // position 1 is the genesis event
  for (int i = 0; i < req.events_size(); ++i) {
    const v1::EventInput& in = req.events(i);
    absl::Status valid = ValidateInput(in);
    if (!valid.ok()) {
      // Stage 1 refuses only with INVALID_ARGUMENT naming the field.
      FUZZ_CHECK(valid.code() == absl::StatusCode::kInvalidArgument, valid.ToString());
      std::optional<v1::ErrorDetail> detail = GetErrorDetail(valid);
      FUZZ_CHECK(detail.has_value(), valid.ToString());
      FUZZ_CHECK(detail->reason() == kReasonInvalidField, valid.ToString());
      FUZZ_CHECK(!detail->field().empty(), valid.ToString());
      FUZZ_CHECK(absl::StartsWith(valid.message(), detail->field()), valid.ToString());
      continue;
    }
    ++out.valid;
    if (lookup.Has(in.event_id())) continue;  // the writer deduplicates by id
    LoggedEvent e{position + 1, PayloadOf(in)};
    OverlayState overlay(&state);
    absl::Status applied =
        Apply(e.position, e.payload, overlay, lookup, EventChecks::kWhenRecorded);
    if (!applied.ok()) {
      FUZZ_CHECK(AllowedRefusal(applied.code()), applied.ToString());
      std::optional<v1::ErrorDetail> detail = GetErrorDetail(applied);
      FUZZ_CHECK(detail.has_value() && !detail->reason().empty(), applied.ToString());
      continue;  // the overlay and its partial changes are dropped
    }
    overlay.CommitToBase();
    position = e.position;
    lookup.Add(e);
    accepted.push_back(e);
    ++out.accepted;
    if (in.body().has_event_reversed()) ++reversals;
    CheckInvariants(state, absl::StrCat("after events[", i, "] (", KindName(in.body()), ")"),
                    accepted.size(), reversals);
  }
  if (accepted.empty()) return out;

  // A replay of the accepted events rebuilds exactly the same state.
  MemoryState rebuilt;
  MapLookup replay_lookup;
  for (const LoggedEvent& e : accepted) {
    absl::Status s = Apply(e.position, e.payload, rebuilt, replay_lookup, EventChecks::kOnReplay);
    FUZZ_CHECK(s.ok(), absl::StrCat("replay of position ", e.position, ": ", s.ToString()));
    replay_lookup.Add(e);
  }
  FUZZ_CHECK(rebuilt.rows() == state.rows(), "replay rebuilt a different state");

  // The queries answer over the state, and the trial balance balances.
  MemoryReadView view(state, position);
  const absl::CivilDay today(2026, 3, 1);
  auto summary = QuerySummary(view);
  FUZZ_CHECK(summary.ok(), summary.status().ToString());
  auto bens = QueryBeneficiaries(view, true);
  FUZZ_CHECK(bens.ok(), bens.status().ToString());
  auto branches = QueryBranches(view, true, today);
  FUZZ_CHECK(branches.ok(), branches.status().ToString());
  auto trial = QueryTrialBalance(view);
  FUZZ_CHECK(trial.ok(), trial.status().ToString());
  FUZZ_CHECK(trial->balanced(), trial->ShortDebugString());
  return out;
}

}  // namespace ledger::fuzz
