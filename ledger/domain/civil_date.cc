#include "ledger/domain/civil_date.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/limits.h"

namespace ledger {
namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("date \"", text, "\" is not a real day written YYYY-MM-DD"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int k = 0; k < lens[p]; ++k) {
      char c = text[starts[p] + k];
      if (c < '0' || c > '9') return bad();
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  if (parts[0] < kMinYear || parts[0] > kMaxYear) return bad();
  absl::CivilDay day(parts[0], parts[1], parts[2]);
  // CivilDay normalises (Feb 30 -> Mar 2); a real day round-trips.
  if (day.year() != parts[0] || day.month() != parts[1] || day.day() != parts[2]) {
    return bad();
  }
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::CivilDay AddMonths(absl::CivilDay day, int64_t months) {
  absl::CivilMonth target = absl::CivilMonth(day) + months;
  absl::CivilDay first(target);
  absl::CivilDay last = absl::CivilDay(target + 1) - 1;
  int want = day.day();
  if (want > last.day()) want = last.day();
  return first + (want - 1);
}

Clock* Clock::Real() {
  static auto* clock = new RealClock();
  return clock;
}

absl::CivilDay TodayUtc(Clock* clock) {
  return absl::ToCivilDay(clock->Now(), absl::UTCTimeZone());
}

}  // namespace ledger
