// Printable forms of projection rows, for mismatch reports and tests.
#ifndef LEDGER_PROJECTIONS_DESCRIBE_H_
#define LEDGER_PROJECTIONS_DESCRIBE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ledger {

// The key with any binary be64 suffix (positions, buckets) as "#<number>".
std::string PrintableKey(absl::string_view key);
// The row decoded by its key's type, as one line of protobuf text.
std::string DescribeRow(absl::string_view key, absl::string_view value);

}  // namespace ledger

#endif  // LEDGER_PROJECTIONS_DESCRIBE_H_
