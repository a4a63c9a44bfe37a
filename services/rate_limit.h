// Per-member rate limit on appends: a token bucket of events for each
// authenticated member (the public cannot append at all).
//
// Each member's bucket holds up to `burst` events and refills at
// `events_per_second`; an Append of n events takes n. One that finds fewer
// is refused RESOURCE_EXHAUSTED (reason RATE_LIMITED) with
// ErrorDetail.retry_after_ms saying when the bucket will hold n again, and
// nothing is written. Members are few (an admin adds each), so the map of
// buckets stays small.
//
// Thread-safety: every method may be called from any thread.
#ifndef SERVICES_RATE_LIMIT_H_
#define SERVICES_RATE_LIMIT_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/sync.h"

namespace ledger {

class AppendRateLimiter {
 public:
  // events_per_second 0 = no limit.
  AppendRateLimiter(double events_per_second, uint32_t burst)
      : rate_(events_per_second), burst_(burst) {}

  // Takes `events` from `member`'s bucket at time `now`, or refuses (see
  // above). REQUIRES: events <= burst (kMaxEventsPerAppend fits).
  absl::Status Take(absl::string_view member, uint32_t events, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);

  bool enabled() const { return rate_ > 0; }

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time last;
  };
  const double rate_;
  const uint32_t burst_;
  Mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger

#endif  // SERVICES_RATE_LIMIT_H_
