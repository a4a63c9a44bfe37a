#include "services/rate_limit.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "ledger/errors.h"

namespace ledger {

absl::Status AppendRateLimiter::Take(absl::string_view member, uint32_t events, absl::Time now) {
  if (!enabled()) return absl::OkStatus();
  events = std::min(events, burst_);  // more is refused by the writer anyway
  double missing = 0;
  {
    MutexLock lock(&mu_);
    auto it = buckets_.find(member);
    if (it == buckets_.end()) {
      it = buckets_.emplace(std::string(member), Bucket{static_cast<double>(burst_), now}).first;
    }
    Bucket& b = it->second;
    const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.last));
    b.tokens = std::min(static_cast<double>(burst_), b.tokens + elapsed * rate_);
    b.last = std::max(b.last, now);
    if (b.tokens >= events) {
      b.tokens -= events;
      return absl::OkStatus();
    }
    missing = events - b.tokens;
  }
  const uint64_t retry_ms =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(missing / rate_ * 1000.0)));
  v1::ErrorDetail detail;
  detail.set_reason(kReasonRateLimited);
  detail.set_retry_after_ms(retry_ms);
  return WithDetail(absl::StatusCode::kResourceExhausted,
                    absl::StrCat("appending too fast: at most ", rate_, " events a second (",
                                 burst_, " at once) per member; try again in ", retry_ms, " ms"),
                    detail);
}

}  // namespace ledger
