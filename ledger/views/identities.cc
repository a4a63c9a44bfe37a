#include "ledger/views/identities.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/domain/ids.h"
#include "ledger/errors.h"
#include "ledger/projections/keys.h"
#include "ledger/status_macros.h"
#include "solidarity/ledger/v1/options.pb.h"

namespace ledger {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr absl::string_view kBeneficiaryFund = "beneficiary/";
constexpr absl::string_view kBeneficiaryAccount = "fund:beneficiary/";
// Messages nest far less deeply than this (the API's deepest is an event
// body inside an event inside a statement line).
constexpr int kMaxDepth = 12;

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

v1::Ref RefOf(const FieldDescriptor* f) { return f->options().GetExtension(v1::ref); }

// A REF_FUND ("beneficiary/<id>") or REF_ACCOUNT ("fund:beneficiary/<id>")
// value split at its prefix; none when it names no beneficiary's fund
// ("general", "cash").
struct FundRef {
  absl::string_view prefix;
  absl::string_view id;
};
std::optional<FundRef> SplitFundRef(int ref, absl::string_view value) {
  const absl::string_view prefix = ref == v1::REF_FUND ? kBeneficiaryFund : kBeneficiaryAccount;
  if (!absl::StartsWith(value, prefix)) return std::nullopt;
  return FundRef{prefix, value.substr(prefix.size())};
}

// Calls fn(field) for every set string field of `m` that has a ref mark,
// and walk(sub-message) for every set message field (repeated ones too).
template <typename OnString, typename OnMessage>
absl::Status ForEachField(Message& m, OnString on_string, OnMessage on_message) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          RETURN_IF_ERROR(on_message(*r->MutableRepeatedMessage(&m, f, i)));
        }
      } else {
        RETURN_IF_ERROR(on_message(*r->MutableMessage(&m, f)));
      }
      continue;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) continue;
    const v1::Ref ref = RefOf(f);
    if (ref == v1::REF_UNSPECIFIED) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        ASSIGN_OR_RETURN(std::string out, on_string(ref, r->GetRepeatedString(m, f, i)));
        r->SetRepeatedString(&m, f, i, std::move(out));
      }
    } else {
      ASSIGN_OR_RETURN(std::string out, on_string(ref, r->GetString(m, f)));
      r->SetString(&m, f, std::move(out));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string FundAlias(uint64_t registered_position) {
  return absl::StrCat(kFundAliasPrefix, registered_position);
}
std::string EventAlias(uint64_t position) { return absl::StrCat(kEventAliasPrefix, position); }
std::string RequestAlias(uint64_t position) { return absl::StrCat(kRequestAliasPrefix, position); }

std::optional<uint64_t> ParseAlias(absl::string_view text, absl::string_view prefix) {
  if (!absl::StartsWith(text, prefix)) return std::nullopt;
  absl::string_view digits = text.substr(prefix.size());
  if (digits.empty() || digits.size() > 20 || digits[0] == '0') return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t position = 0;
  if (!absl::SimpleAtoi(digits, &position)) return std::nullopt;
  return position;
}

// ------------------------------------------------------------------ FundDirectory

absl::StatusOr<std::shared_ptr<const FundDirectory>> FundDirectory::Load(ReadView& view) {
  auto dir = std::make_shared<FundDirectory>();
  dir->head_ = view.head_position();
  RETURN_IF_ERROR(view.ForEach<v1::Beneficiary>(
      kBeneficiaryKeyPrefix, [&](absl::string_view, const v1::Beneficiary& b) -> absl::Status {
        dir->all_.insert(b.beneficiary_id());
        if (b.sensitive()) {
          std::string alias = FundAlias(b.registered_position());
          dir->id_of_[alias] = b.beneficiary_id();
          dir->alias_of_[b.beneficiary_id()] = std::move(alias);
          dir->longest_first_.push_back(b.beneficiary_id());
        }
        return absl::OkStatus();
      }));
  std::sort(dir->longest_first_.begin(), dir->longest_first_.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() != b.size() ? a.size() > b.size() : a < b;
            });
  return std::shared_ptr<const FundDirectory>(std::move(dir));
}

std::string FundDirectory::PublicId(absl::string_view id) const {
  auto it = alias_of_.find(id);
  return it == alias_of_.end() ? std::string(id) : it->second;
}

std::optional<std::string> FundDirectory::IdOfAlias(absl::string_view alias) const {
  auto it = id_of_.find(alias);
  if (it == id_of_.end()) return std::nullopt;
  return it->second;
}

std::string FundDirectory::Scrub(absl::string_view text) const {
  if (longest_first_.empty() || text.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (i == 0 || !IsWordChar(text[i - 1])) {
      for (const std::string& id : longest_first_) {
        const size_t end = i + id.size();
        if (end > text.size() || !absl::EqualsIgnoreCase(text.substr(i, id.size()), id)) continue;
        if (end < text.size() && IsWordChar(text[end])) continue;
        out += alias_of_.at(id);
        i = end;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const FundDirectory>> FundDirectoryCache::For(ReadView& newest) {
  {
    MutexLock lock(&mu_);
    // A directory of a later head is a superset: funds are never removed
    // and a sensitive fund stays sensitive.
    if (latest_ && latest_->head() >= newest.head_position()) return latest_;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const FundDirectory> loaded, FundDirectory::Load(newest));
  MutexLock lock(&mu_);
  if (!latest_ || latest_->head() < loaded->head()) latest_ = loaded;
  return loaded;
}

// ------------------------------------------------------------------ order

std::string PublicFundSortKey(absl::string_view public_id) {
  std::optional<uint64_t> alias = ParseAlias(public_id, kFundAliasPrefix);
  if (!alias) return std::string(public_id);
  // '~' sorts after every character an id may hold (a-z 0-9 . _ -).
  std::string digits = absl::StrCat(*alias);
  return absl::StrCat("~", std::string(20 - digits.size(), '0'), digits);
}

void SortByPublicFund(google::protobuf::RepeatedPtrField<v1::BeneficiaryView>* views) {
  std::stable_sort(views->begin(), views->end(),
                   [](const v1::BeneficiaryView& a, const v1::BeneficiaryView& b) {
                     return PublicFundSortKey(a.beneficiary().beneficiary_id()) <
                            PublicFundSortKey(b.beneficiary().beneficiary_id());
                   });
}

void SortByPublicAccount(google::protobuf::RepeatedPtrField<v1::AccountBalance>* accounts) {
  auto key = [](const v1::AccountBalance& a) {
    absl::string_view name = a.account();
    if (!absl::StartsWith(name, kBeneficiaryAccount)) return std::string(name);
    return absl::StrCat(kBeneficiaryAccount,
                        PublicFundSortKey(name.substr(kBeneficiaryAccount.size())));
  };
  std::stable_sort(accounts->begin(), accounts->end(),
                   [&](const v1::AccountBalance& a, const v1::AccountBalance& b) {
                     const std::string ka = key(a), kb = key(b);
                     return ka != kb ? ka < kb : a.currency() < b.currency();
                   });
}

// ------------------------------------------------------------------ IdentityMask

IdentityMask::IdentityMask(std::shared_ptr<const FundDirectory> funds,
                           std::unique_ptr<ReadView> newest, ViewFactory refresh)
    : funds_(std::move(funds)), view_(std::move(newest)), refresh_(std::move(refresh)) {
  LEDGER_CHECK(funds_ != nullptr && view_ != nullptr);
}

// ---- requests

absl::Status IdentityMask::Inbound(Message& request) { return InboundFields(request, 0); }

absl::Status IdentityMask::InboundFields(Message& m, int depth) {
  if (depth > kMaxDepth) return absl::InvalidArgumentError("the request nests too deeply");
  return ForEachField(
      m, [&](int ref, const std::string& value) { return InboundValue(ref, value); },
      [&](Message& sub) { return InboundFields(sub, depth + 1); });
}

absl::StatusOr<std::string> IdentityMask::InboundValue(int ref, const std::string& value) {
  switch (ref) {
    case v1::REF_FUND_ID:
      return InboundId(Lookup::kFund, value);
    case v1::REF_FUND:
    case v1::REF_ACCOUNT: {
      const std::optional<FundRef> fund = SplitFundRef(ref, value);
      if (!fund) return value;
      ASSIGN_OR_RETURN(std::string id, InboundId(Lookup::kFund, fund->id));
      return absl::StrCat(fund->prefix, id);
    }
    case v1::REF_EVENT_ID:
      return InboundId(Lookup::kEvent, value);
    case v1::REF_REQUEST_ID:
      return InboundId(Lookup::kRequest, value);
    default:
      return value;
  }
}

absl::StatusOr<std::string> IdentityMask::InboundId(Lookup what, absl::string_view value) {
  if (value.empty()) return std::string();
  if (what == Lookup::kFund) {
    if (absl::StartsWith(value, kFundAliasPrefix)) {
      if (std::optional<std::string> id = funds_->IdOfAlias(value)) return *id;
      return StandIn(what, value);
    }
    // A sensitive fund's real id names nothing for this caller.
    return funds_->IsSensitive(value) ? StandIn(what, value) : std::string(value);
  }
  const absl::string_view prefix = what == Lookup::kEvent ? kEventAliasPrefix : kRequestAliasPrefix;
  std::optional<uint64_t> position = ParseAlias(value, prefix);
  if (!position) {
    // A real id (which this caller never sees) names nothing, so that ids
    // cannot be guessed; a malformed one goes on to be refused as such.
    return IsValidId(value) ? StandIn(what, value) : std::string(value);
  }
  if (*position > view_->head_position()) return StandIn(what, value);
  ASSIGN_OR_RETURN(StoredEvent event, view_->GetEvent(*position));
  if (what == Lookup::kEvent) return event.payload.event_id();
  if (!event.payload.body().has_disbursement_requested()) return StandIn(what, value);
  return event.payload.body().disbursement_requested().request_id();
}

absl::StatusOr<std::string> IdentityMask::StandIn(Lookup what, absl::string_view asked) {
  for (size_t n = stand_ins_.size();; ++n) {
    std::string candidate = absl::StrCat("unknown.", n);
    bool taken = false;
    if (what == Lookup::kFund) {
      taken = funds_->Exists(candidate);
    } else if (what == Lookup::kEvent) {
      ASSIGN_OR_RETURN(std::optional<uint64_t> at, view_->FindEventId(candidate));
      taken = at.has_value();
    } else {
      ASSIGN_OR_RETURN(std::optional<std::string> row, view_->Get(RequestKey(candidate)));
      taken = row.has_value();
    }
    if (!taken) {
      stand_ins_.emplace_back(candidate, std::string(asked));
      return candidate;
    }
  }
}

// ---- answers

void IdentityMask::Learn(const Message& m, int depth) {
  if (depth > kMaxDepth) return;
  if (m.GetDescriptor() == v1::Event::descriptor()) {
    const auto& event = static_cast<const v1::Event&>(m);
    if (!event.event_id().empty()) event_positions_[event.event_id()] = event.position();
    if (event.body().has_disbursement_requested()) {
      request_positions_[event.body().disbursement_requested().request_id()] = event.position();
    }
  } else if (m.GetDescriptor() == v1::DisbursementRequest::descriptor()) {
    const auto& request = static_cast<const v1::DisbursementRequest&>(m);
    request_positions_[request.request_id()] = request.requested_position();
  }
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!f->is_repeated()) {
      Learn(r->GetMessage(m, f), depth + 1);
      continue;
    }
    for (int i = 0; i < r->FieldSize(m, f); ++i) Learn(r->GetRepeatedMessage(m, f, i), depth + 1);
  }
}

absl::Status IdentityMask::Outbound(Message& answer) {
  if (answered_) return absl::OkStatus();
  answered_ = true;
  // Fields a newer build wrote into a row are not passed on unseen.
  answer.DiscardUnknownFields();
  Learn(answer, 0);
  return OutboundFields(answer, 0);
}

absl::Status IdentityMask::OutboundFields(Message& m, int depth) {
  if (depth > kMaxDepth) return absl::InternalError("an answer nests too deeply to be checked");
  return ForEachField(
      m, [&](int ref, const std::string& value) { return OutboundValue(ref, value); },
      [&](Message& sub) { return OutboundFields(sub, depth + 1); });
}

absl::StatusOr<std::string> IdentityMask::OutboundValue(int ref, const std::string& value) {
  if (value.empty()) return value;
  switch (ref) {
    case v1::REF_FUND_ID:
      return PublicFund(value);
    case v1::REF_FUND:
    case v1::REF_ACCOUNT: {
      const std::optional<FundRef> fund = SplitFundRef(ref, value);
      if (!fund) return funds_->Scrub(value);
      ASSIGN_OR_RETURN(std::string id, PublicFund(fund->id));
      // A fund that cannot be placed is left out altogether.
      return id.empty() ? std::string() : absl::StrCat(fund->prefix, id);
    }
    case v1::REF_EVENT_ID:
      return EventRef(value);
    case v1::REF_REQUEST_ID:
      return RequestRef(value);
    case v1::REF_TEXT:
      return funds_->Scrub(value);
    case v1::REF_SIGNED_TEXT:
      return funds_->Scrub(value) == value ? value : std::string();
    case v1::REF_HIDDEN:
      return std::string();
    default:
      return value;
  }
}

absl::StatusOr<std::string> IdentityMask::PublicFund(absl::string_view id) {
  if (funds_->Exists(id)) return funds_->PublicId(id);
  // Registered after the directory was read (the handler's view is newer):
  // placed from its row; a fund that cannot be placed is withheld.
  if (auto it = late_funds_.find(id); it != late_funds_.end()) return it->second;
  std::unique_ptr<ReadView> fresh = refresh_ ? refresh_() : nullptr;
  ReadView& rows = fresh ? *fresh : *view_;
  ASSIGN_OR_RETURN(std::optional<v1::Beneficiary> b,
                   rows.Load<v1::Beneficiary>(BeneficiaryKey(id)));
  std::string shown;
  if (b) shown = b->sensitive() ? FundAlias(b->registered_position()) : std::string(id);
  late_funds_[id] = shown;
  return shown;
}

absl::StatusOr<std::string> IdentityMask::EventRef(const std::string& event_id) {
  if (auto it = event_positions_.find(event_id); it != event_positions_.end()) {
    return EventAlias(it->second);
  }
  ASSIGN_OR_RETURN(std::optional<uint64_t> at, view_->FindEventId(event_id));
  if (!at && refresh_) {
    std::unique_ptr<ReadView> fresh = refresh_();
    ASSIGN_OR_RETURN(at, fresh->FindEventId(event_id));
  }
  if (!at) return std::string();
  event_positions_[event_id] = *at;
  return EventAlias(*at);
}

absl::StatusOr<std::string> IdentityMask::RequestRef(const std::string& request_id) {
  if (auto it = request_positions_.find(request_id); it != request_positions_.end()) {
    return RequestAlias(it->second);
  }
  ASSIGN_OR_RETURN(std::optional<v1::DisbursementRequest> row,
                   view_->Load<v1::DisbursementRequest>(RequestKey(request_id)));
  if (!row && refresh_) {
    std::unique_ptr<ReadView> fresh = refresh_();
    ASSIGN_OR_RETURN(row, fresh->Load<v1::DisbursementRequest>(RequestKey(request_id)));
  }
  if (!row) return std::string();
  request_positions_[request_id] = row->requested_position();
  return RequestAlias(row->requested_position());
}

// ---- refusals

std::string IdentityMask::Restore(std::string text) const {
  for (const auto& [stand_in, asked] : stand_ins_) {
    std::string out;
    size_t from = 0;
    for (size_t at = text.find(stand_in); at != std::string::npos; at = text.find(stand_in, from)) {
      absl::StrAppend(&out, absl::string_view(text).substr(from, at - from), asked);
      from = at + stand_in.size();
    }
    absl::StrAppend(&out, absl::string_view(text).substr(from));
    text = std::move(out);
  }
  return text;
}

absl::Status IdentityMask::Refusal(const absl::Status& status) {
  if (status.ok()) return status;
  const absl::StatusCode code = status.code();
  if (code == absl::StatusCode::kInternal || code == absl::StatusCode::kDataLoss ||
      code == absl::StatusCode::kUnknown) {
    // Server faults may quote rows; the operator has them in the log.
    return absl::Status(code,
                        absl::StrCat("the ledger server could not answer (",
                                     absl::AsciiStrToLower(absl::StatusCodeToString(code)), ")"));
  }
  const std::string message = Restore(funds_->Scrub(status.message()));
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(status);
  if (!detail) return absl::Status(code, message);
  // A stand-in fund names nothing, so it is left out, like an unknown one.
  ASSIGN_OR_RETURN(std::string fund, OutboundValue(v1::REF_FUND, detail->fund()));
  detail->set_fund(std::move(fund));
  ASSIGN_OR_RETURN(std::string event_id, OutboundValue(v1::REF_EVENT_ID, detail->event_id()));
  detail->set_event_id(std::move(event_id));
  return WithDetail(code, message, *detail);
}

}  // namespace ledger
