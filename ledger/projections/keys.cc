#include "ledger/projections/keys.h"

#include "absl/strings/str_cat.h"
#include "ledger/hash.h"

namespace ledger {

std::string FundKey(absl::string_view fund, absl::string_view currency) {
  return absl::StrCat(kFundKeyPrefix, fund, "/", currency);
}
std::string FundPrefix(absl::string_view fund) { return absl::StrCat(kFundKeyPrefix, fund, "/"); }
std::string AccountKey(absl::string_view account, absl::string_view currency) {
  return absl::StrCat(kAccountKeyPrefix, account, "/", currency);
}
std::string BeneficiaryKey(absl::string_view id) { return absl::StrCat(kBeneficiaryKeyPrefix, id); }
std::string BranchKey(absl::string_view id) { return absl::StrCat(kBranchKeyPrefix, id); }
std::string ReversalKey(uint64_t position) {
  return absl::StrCat(kReversalKeyPrefix, EncodeBigEndian64(position));
}
std::string MemberKey(absl::string_view member_id) {
  return absl::StrCat(kMemberKeyPrefix, member_id);
}
std::string TokenKey(absl::string_view token_id) { return absl::StrCat(kTokenKeyPrefix, token_id); }
std::string PeriodProposalKey(absl::string_view proposal_id) {
  return absl::StrCat(kPeriodProposalKeyPrefix, proposal_id);
}

std::string RequestKey(absl::string_view request_id) {
  return absl::StrCat(kRequestKeyPrefix, request_id);
}
std::string TokenHashKey(absl::string_view token_hash) {
  return absl::StrCat("tokh/", ToHex(token_hash));
}
std::string DayFundPrefix(absl::string_view fund, absl::string_view currency) {
  return absl::StrCat(kDayFundPrefix, fund, "/", currency, "/");
}

}  // namespace ledger
