// Civil dates ("YYYY-MM-DD") and the clock.
#ifndef LEDGER_DOMAIN_CIVIL_DATE_H_
#define LEDGER_DOMAIN_CIVIL_DATE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace ledger {

// Parses exactly "YYYY-MM-DD" of a real calendar day within kMinYear..kMaxYear.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text);

// "YYYY-MM-DD".
std::string FormatDate(absl::CivilDay day);

// `day` moved on by `months` calendar months; the day of month is clamped to
// the length of the target month (Jan 31 + 1 month = Feb 28/29).
absl::CivilDay AddMonths(absl::CivilDay day, int64_t months);

// The source of "now". Tests inject a fixed clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // The process-wide real clock.
  static Clock* Real();
};

// Today's date in UTC by `clock`.
absl::CivilDay TodayUtc(Clock* clock);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_CIVIL_DATE_H_
