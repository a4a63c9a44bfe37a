// Mutex and MutexLock: std::mutex with the annotations clang's thread-safety
// analysis checks (-Wthread-safety; the LEDGER_THREAD_SAFETY build).
//
// libstdc++'s std::mutex is not a capability, so ABSL_GUARDED_BY(mu_) on a
// member next to a std::mutex is a comment the compiler cannot check. Mutex
// is one: a member declared ABSL_GUARDED_BY(mu_) may only be read or written
// while mu_ is held, and a function declared
// ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) may only be called with it held; clang
// refuses to compile code that breaks either. absl::Mutex would do the same,
// but Debian's Abseil is not built for ThreadSanitizer, which then cannot
// see its ordering; underneath this is a plain std::mutex, which TSan sees.
//
// Waiting: Wait(cv) releases the mutex while blocked on a
// std::condition_variable and holds it again when it returns. Wait in a
// loop over the condition, written out where the guarded members are read
// (a predicate lambda would be analysed as a function that holds no lock):
//
//   MutexLock lock(&mu_);
//   while (queue_.empty() && !stopping_) mu_.Wait(cv_);
//
// Thread-safety: what a mutex is for. Not copyable or movable; not
// recursive (locking a Mutex the thread already holds deadlocks, and the
// analysis reports it where it can see it).
#ifndef LEDGER_SYNC_H_
#define LEDGER_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"

namespace ledger {

class ABSL_LOCKABLE Mutex {
 public:
  // constexpr, so a Mutex at namespace scope is constant-initialised
  // (ABSL_CONST_INIT) and usable before main.
  constexpr Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

  // Blocks until `cv` is notified (or wakes spuriously), with the mutex
  // released meanwhile. REQUIRES: held; it is held again on return.
  void Wait(std::condition_variable& cv) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    // The lock is held on entry and must stay held on return: adopt it for
    // the wait, then give it back without unlocking.
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    cv.wait(lock);
    lock.release();
  }
  // The same, waking at `deadline` at the latest (a timer: the checkpoint
  // signer's interval).
  void WaitUntil(std::condition_variable& cv, std::chrono::steady_clock::time_point deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    cv.wait_until(lock, deadline);
    lock.release();
  }
  // Wait, for at most `timeout`.
  template <class Rep, class Period>
  void WaitFor(std::condition_variable& cv, std::chrono::duration<Rep, Period> timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    cv.wait_for(lock, timeout);
    lock.release();
  }

 private:
  std::mutex mu_;
};

// Holds a Mutex for its scope (RAII).
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace ledger

#endif  // LEDGER_SYNC_H_
