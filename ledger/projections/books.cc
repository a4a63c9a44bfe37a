#include "ledger/projections/books.h"

#include "absl/strings/str_cat.h"
#include "ledger/domain/effects.h"
#include "ledger/projections/keys.h"

namespace ledger {

absl::StatusOr<std::optional<v1::Beneficiary>> RowBooks::FindBeneficiary(absl::string_view id) {
  return rows_.Load<v1::Beneficiary>(BeneficiaryKey(id));
}

absl::StatusOr<std::optional<v1::Branch>> RowBooks::FindBranch(absl::string_view id) {
  return rows_.Load<v1::Branch>(BranchKey(id));
}

absl::StatusOr<std::optional<v1::ReversalMark>> RowBooks::FindReversal(uint64_t position) {
  return rows_.Load<v1::ReversalMark>(ReversalKey(position));
}

absl::StatusOr<std::optional<v1::Member>> RowBooks::FindMember(absl::string_view member_id) {
  return rows_.Load<v1::Member>(MemberKey(member_id));
}

absl::StatusOr<std::optional<v1::Token>> RowBooks::FindToken(absl::string_view token_id) {
  return rows_.Load<v1::Token>(TokenKey(token_id));
}

absl::StatusOr<std::optional<std::string>> RowBooks::FindTokenIdByHash(
    absl::string_view token_hash) {
  return rows_.Get(TokenHashKey(token_hash));
}

absl::StatusOr<std::optional<v1::DisbursementRequest>> RowBooks::FindRequest(
    absl::string_view request_id) {
  return rows_.Load<v1::DisbursementRequest>(RequestKey(request_id));
}

absl::StatusOr<std::optional<v1::ApprovalPolicySet>> RowBooks::FindApprovalPolicy() {
  return rows_.Load<v1::ApprovalPolicySet>(kApprovalPolicyKey);
}

absl::StatusOr<std::optional<v1::ClosedPeriod>> RowBooks::FindClosedPeriod() {
  return rows_.Load<v1::ClosedPeriod>(kClosedPeriodKey);
}

absl::StatusOr<std::optional<v1::PeriodProposal>> RowBooks::FindPeriodProposal(
    absl::string_view proposal_id) {
  return rows_.Load<v1::PeriodProposal>(PeriodProposalKey(proposal_id));
}

absl::StatusOr<int> RowBooks::CountActiveAdmins() {
  int admins = 0;
  absl::Status bad;
  RETURN_IF_ERROR(rows_.Scan(kMemberKeyPrefix, [&](absl::string_view key, absl::string_view value) {
    v1::Member m;
    if (!m.ParseFromString(std::string(value))) {
      bad = CorruptRow(key);
      return false;
    }
    if (m.status() != v1::STATUS_OPEN) return true;
    for (int r : m.roles()) {
      if (r == v1::ROLE_ADMIN) ++admins;
    }
    return true;
  }));
  RETURN_IF_ERROR(bad);
  return admins;
}

absl::StatusOr<v1::FundBalance> RowBooks::Fund(absl::string_view fund, absl::string_view currency) {
  ASSIGN_OR_RETURN(std::optional<v1::FundBalance> row,
                   rows_.Load<v1::FundBalance>(FundKey(fund, currency)));
  return row ? *std::move(row) : FundChange(fund, currency);
}

absl::StatusOr<std::vector<DayChange>> RowBooks::FundDaysFrom(absl::string_view fund,
                                                              absl::string_view currency,
                                                              absl::string_view from_day) {
  const std::string prefix = DayFundPrefix(fund, currency);
  std::vector<DayChange> days;
  RETURN_IF_ERROR(rows_.ForEachFrom<v1::FundBalance>(
      prefix, absl::StrCat(prefix, from_day),
      [&](absl::string_view key, const v1::FundBalance& row) -> absl::Status {
        if (key.size() != prefix.size() + kDateLength) return CorruptRow(key);
        days.push_back(DayChange{std::string(key.substr(prefix.size())), row.available_minor()});
        return absl::OkStatus();
      }));
  return days;
}

}  // namespace ledger
