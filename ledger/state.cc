#include "ledger/state.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/errors.h"
#include "ledger/hash.h"

namespace ledger {

std::string FundKey(absl::string_view fund, absl::string_view currency) {
  return absl::StrCat(kFundKeyPrefix, fund, "/", currency);
}
std::string FundPrefix(absl::string_view fund) {
  return absl::StrCat(kFundKeyPrefix, fund, "/");
}
std::string AccountKey(absl::string_view account, absl::string_view currency) {
  return absl::StrCat(kAccountKeyPrefix, account, "/", currency);
}
std::string BeneficiaryKey(absl::string_view id) {
  return absl::StrCat(kBeneficiaryKeyPrefix, id);
}
std::string BranchKey(absl::string_view id) { return absl::StrCat(kBranchKeyPrefix, id); }
std::string ReversalKey(uint64_t position) {
  return absl::StrCat(kReversalKeyPrefix, EncodeBigEndian64(position));
}
std::string BeneficiaryFund(absl::string_view beneficiary_id) {
  return absl::StrCat("beneficiary/", beneficiary_id);
}

absl::Status StateView::CorruptRow(absl::string_view key) {
  return Refusal(absl::StatusCode::kDataLoss, kReasonStorage,
                 absl::StrCat("state row \"", key, "\" cannot be decoded"));
}

absl::StatusOr<std::optional<std::string>> MemoryState::Get(absl::string_view key) {
  auto it = rows_.find(std::string(key));
  if (it == rows_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

void MemoryState::Put(absl::string_view key, std::string value) {
  rows_[std::string(key)] = std::move(value);
}

absl::StatusOr<std::optional<std::string>> OverlayState::Get(absl::string_view key) {
  auto it = changes_.find(key);
  if (it != changes_.end()) return std::optional<std::string>(it->second);
  return base_->Get(key);
}

void OverlayState::Put(absl::string_view key, std::string value) {
  auto it = changes_.find(key);
  if (it != changes_.end()) {
    it->second = std::move(value);
  } else {
    changes_.emplace(std::string(key), std::move(value));
  }
}

absl::Status MemoryState::Scan(absl::string_view prefix, absl::string_view start,
                               const RowFn& fn) {
  const std::string from(start < prefix ? prefix : start);
  for (auto it = rows_.lower_bound(from);
       it != rows_.end() && absl::StartsWith(it->first, prefix); ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return absl::OkStatus();
}

absl::Status OverlayState::Scan(absl::string_view prefix, absl::string_view start,
                                const RowFn& fn) {
  return ScanMerged(
      changes_,
      [this](absl::string_view p, absl::string_view s, const RowFn& f) {
        return base_->Scan(p, s, f);
      },
      prefix, start, fn);
}

absl::Status ScanMerged(const std::map<std::string, std::string, std::less<>>& changes,
                        const ScanFn& base_scan, absl::string_view prefix,
                        absl::string_view start, const RowFn& fn) {
  const absl::string_view from = start < prefix ? prefix : start;
  auto it = changes.lower_bound(from);
  auto in_range = [&] { return it != changes.end() && absl::StartsWith(it->first, prefix); };
  bool stopped = false;
  RETURN_IF_ERROR(base_scan(prefix, from, [&](absl::string_view key, absl::string_view value) {
    // Changes before this base row come first; one with the same key wins.
    while (in_range() && it->first < key) {
      if (!fn(it->first, it->second)) return !(stopped = true);
      ++it;
    }
    if (in_range() && it->first == key) {
      const bool go_on = fn(it->first, it->second);
      ++it;
      if (!go_on) stopped = true;
      return go_on;
    }
    if (!fn(key, value)) return !(stopped = true);
    return true;
  }));
  for (; !stopped && in_range(); ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return absl::OkStatus();
}

void OverlayState::CommitToBase() {
  for (auto& [key, value] : changes_) base_->Put(key, std::move(value));
  changes_.clear();
}

}  // namespace ledger
