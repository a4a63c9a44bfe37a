// The layout of the projection rows in the `state` column family (grammar:
// ledger/FORMAT.md). Every row here is rebuilt from the log alone.
//
//   current rows    totals, fund/, acct/, ben/, br/, rev/
//   per day         dfund/ dacct/ dbr/ dtot/      (by occurred_on)
//   per bucket      pfund/ pacct/ pbr/ ptot/      (of kPositionBucketSize positions)
//   date index      occ/<date>/<be64 position>
#ifndef LEDGER_PROJECTIONS_KEYS_H_
#define LEDGER_PROJECTIONS_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ledger {

inline constexpr char kTotalsKey[] = "totals";
std::string FundKey(absl::string_view fund, absl::string_view currency);  // fund/<fund>/<cur>
std::string FundPrefix(absl::string_view fund);                           // fund/<fund>/
std::string AccountKey(absl::string_view account,
                       absl::string_view currency);    // acct/<account>/<cur>
std::string BeneficiaryKey(absl::string_view id);      // ben/<id>
std::string BranchKey(absl::string_view id);           // br/<id>
std::string ReversalKey(uint64_t position);            // rev/<be64>
std::string MemberKey(absl::string_view member_id);    // mem/<id>
std::string TokenKey(absl::string_view token_id);      // tok/<id>
std::string RequestKey(absl::string_view request_id);  // req/<id>
// The approval policy in force (the last ApprovalPolicySet).
inline constexpr char kApprovalPolicyKey[] = "policy/approval";
// Closed periods: the day the books are closed through (the last
// PeriodClosed) and the proposals by id.
inline constexpr char kClosedPeriodKey[] = "period/closed";
std::string PeriodProposalKey(absl::string_view proposal_id);  // pprop/<id>
// tokh/<hex of the token's SHA-256> -> the token id
std::string TokenHashKey(absl::string_view token_hash);
inline constexpr char kFundKeyPrefix[] = "fund/";
inline constexpr char kAccountKeyPrefix[] = "acct/";
inline constexpr char kBeneficiaryKeyPrefix[] = "ben/";
inline constexpr char kBranchKeyPrefix[] = "br/";
inline constexpr char kReversalKeyPrefix[] = "rev/";
inline constexpr char kMemberKeyPrefix[] = "mem/";
inline constexpr char kTokenKeyPrefix[] = "tok/";
inline constexpr char kRequestKeyPrefix[] = "req/";
inline constexpr char kPeriodProposalKeyPrefix[] = "pprop/";

// Delta rows: each event's effects added per day and per bucket.
//   day:    d<kind>/<name>/<cur>/<YYYY-MM-DD>      dtot/<YYYY-MM-DD>
//   bucket: p<kind>/<name>/<cur>/<be64 bucket>     ptot/<be64 bucket>
inline constexpr char kDayFundPrefix[] = "dfund/";
inline constexpr char kDayAccountPrefix[] = "dacct/";
inline constexpr char kDayBranchPrefix[] = "dbr/";
inline constexpr char kDayTotalsPrefix[] = "dtot/";
inline constexpr char kBucketFundPrefix[] = "pfund/";
inline constexpr char kBucketAccountPrefix[] = "pacct/";
inline constexpr char kBucketBranchPrefix[] = "pbr/";
inline constexpr char kBucketTotalsPrefix[] = "ptot/";
inline constexpr char kDateIndexPrefix[] = "occ/";

// "dfund/<fund>/<cur>/": the day rows of one fund in one currency.
std::string DayFundPrefix(absl::string_view fund, absl::string_view currency);

// Length of "YYYY-MM-DD".
inline constexpr size_t kDateLength = 10;

}  // namespace ledger

#endif  // LEDGER_PROJECTIONS_KEYS_H_
