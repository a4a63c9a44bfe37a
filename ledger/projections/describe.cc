#include "ledger/projections/describe.h"

#include <functional>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "ledger/hash.h"
#include "ledger/projections/keys.h"
#include "solidarity/ledger/v1/projections.pb.h"
#include "solidarity/ledger/v1/state.pb.h"

namespace ledger {
namespace {

namespace v1 = ::solidarity::ledger::v1;

using Factory = std::function<std::unique_ptr<google::protobuf::Message>()>;

template <typename M>
Factory Make() {
  return [] { return std::make_unique<M>(); };
}

// The message type of the rows under each prefix.
struct RowType {
  const char* prefix;
  Factory make;
};

const std::vector<RowType>& RowTypes() {
  static const auto* types = new std::vector<RowType>{
      {kFundKeyPrefix, Make<v1::FundBalance>()},
      {kAccountKeyPrefix, Make<v1::AccountBalance>()},
      {kBeneficiaryKeyPrefix, Make<v1::Beneficiary>()},
      {kBranchKeyPrefix, Make<v1::Branch>()},
      {kReversalKeyPrefix, Make<v1::ReversalMark>()},
      {kDayFundPrefix, Make<v1::FundBalance>()},
      {kBucketFundPrefix, Make<v1::FundBalance>()},
      {kDayAccountPrefix, Make<v1::AccountBalance>()},
      {kBucketAccountPrefix, Make<v1::AccountBalance>()},
      {kDayBranchPrefix, Make<v1::BranchTotals>()},
      {kBucketBranchPrefix, Make<v1::BranchTotals>()},
      {kDayTotalsPrefix, Make<v1::LedgerTotals>()},
      {kBucketTotalsPrefix, Make<v1::LedgerTotals>()},
  };
  return *types;
}

}  // namespace

std::string PrintableKey(absl::string_view key) {
  if (absl::StartsWith(key, kReversalKeyPrefix) && key.size() == 4 + 8) {
    return absl::StrCat(kReversalKeyPrefix, DecodeBigEndian64(key.substr(4)));
  }
  // Keys ending in a binary be64 (position buckets, the date index).
  if ((key.size() > 8 && key[0] == 'p' && absl::StrContains(key, "/")) ||
      absl::StartsWith(key, kDateIndexPrefix)) {
    if (key.size() > 9 && key[key.size() - 9] == '/') {
      return absl::StrCat(key.substr(0, key.size() - 8), "#",
                          DecodeBigEndian64(key.substr(key.size() - 8)));
    }
  }
  return std::string(key);
}

std::string DescribeRow(absl::string_view key, absl::string_view value) {
  std::unique_ptr<google::protobuf::Message> m;
  if (key == kTotalsKey) {
    m = std::make_unique<v1::LedgerTotals>();
  } else if (absl::StartsWith(key, kDateIndexPrefix)) {
    return value.empty() ? "(date index)" : "<unexpected bytes>";
  } else {
    for (const RowType& t : RowTypes()) {
      if (absl::StartsWith(key, t.prefix)) {
        m = t.make();
        break;
      }
    }
  }
  if (!m || !m->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::StrCat("<", value.size(), " undecodable bytes>");
  }
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintToString(*m, &text);
  return text;
}

}  // namespace ledger
