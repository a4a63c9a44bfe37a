#include "ledger/storage/rows.h"

#include "absl/strings/match.h"
#include "ledger/errors.h"

namespace ledger {

absl::Status CorruptRow(absl::string_view key) {
  return Refusal(absl::StatusCode::kDataLoss, kReasonStorage,
                 absl::StrCat("state row \"", key, "\" cannot be decoded"));
}

absl::StatusOr<std::optional<std::string>> MemoryState::Get(absl::string_view key) {
  auto it = rows_.find(key);
  if (it == rows_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

void MemoryState::Put(absl::string_view key, std::string value) {
  auto it = rows_.find(key);
  if (it != rows_.end()) {
    it->second = std::move(value);
  } else {
    rows_.emplace(std::string(key), std::move(value));
  }
}

absl::Status MemoryState::ScanFrom(absl::string_view prefix, absl::string_view start,
                                   const RowFn& fn) {
  const absl::string_view from = start < prefix ? prefix : start;
  for (auto it = rows_.lower_bound(from); it != rows_.end() && absl::StartsWith(it->first, prefix);
       ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return absl::OkStatus();
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

absl::Status OverlayState::ScanFrom(absl::string_view prefix, absl::string_view start,
                                    const RowFn& fn) {
  return ScanMerged(
      changes_,
      [this](absl::string_view p, absl::string_view s, const RowFn& f) {
        return base_->ScanFrom(p, s, f);
      },
      prefix, start, fn);
}

void OverlayState::CommitToBase() {
  for (auto& [key, value] : changes_) base_->Put(key, std::move(value));
  changes_.clear();
}

absl::Status ScanMerged(const std::map<std::string, std::string, std::less<>>& changes,
                        const BaseScan& base_scan, absl::string_view prefix,
                        absl::string_view start, const RowFn& fn) {
  const absl::string_view from = start < prefix ? prefix : start;
  auto it = changes.lower_bound(from);
  auto in_range = [&] { return it != changes.end() && absl::StartsWith(it->first, prefix); };
  bool stopped = false;
  auto emit = [&](absl::string_view key, absl::string_view value) {
    if (!fn(key, value)) stopped = true;
    return !stopped;
  };
  RETURN_IF_ERROR(base_scan(prefix, from, [&](absl::string_view key, absl::string_view value) {
    // Changes before this base row come first; one with the same key wins.
    for (; in_range() && it->first < key; ++it) {
      if (!emit(it->first, it->second)) return false;
    }
    if (in_range() && it->first == key) {
      const bool go_on = emit(it->first, it->second);
      ++it;
      return go_on;
    }
    return emit(key, value);
  }));
  for (; !stopped && in_range(); ++it) emit(it->first, it->second);
  return absl::OkStatus();
}

}  // namespace ledger
