#include "ledger/state.h"

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

void OverlayState::CommitToBase() {
  for (auto& [key, value] : changes_) base_->Put(key, std::move(value));
  changes_.clear();
}

}  // namespace ledger
