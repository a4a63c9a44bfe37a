// LEDGER_CHECK: assertions that stay on in every build.
//
// A failed check is a programmer error ("this should never happen"): the
// process prints where and why and aborts. Bad input and operating errors
// (disk full, a refused request) are never checked this way; they are returned
// as absl::Status.
#ifndef LEDGER_CHECK_H_
#define LEDGER_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define LEDGER_CHECK(cond)                                                                 \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "%s:%d: LEDGER_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

#endif  // LEDGER_CHECK_H_
