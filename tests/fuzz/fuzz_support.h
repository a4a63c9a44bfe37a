// Shared by the fuzz targets and the seed generator: the append harness (an
// AppendRequest's bytes -> ValidateInput -> Decide + IndexEvent over an in-memory
// state, with the ledger's invariants checked after every accepted event).
//
// Every check is a FUZZ_CHECK: on failure it prints what broke and aborts, so
// libFuzzer records the input as a crash.
#ifndef LEDGER_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define LEDGER_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"

#define FUZZ_CHECK(cond, ...)                                                            \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, "  %s\n", ::std::string(__VA_ARGS__).c_str());                \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace ledger::fuzz {

struct AppendOutcome {
  bool parsed = false;  // the bytes were an AppendRequest
  int events = 0;       // events in it (0 if over the per-append limit)
  int valid = 0;        // passed ValidateInput
  int accepted = 0;     // then accepted by Decide
};

// Parses `bytes` as an AppendRequest and runs every event through the rules,
// one event at a time (each on its own overlay, dropped when refused, as the
// writer does). After each accepted event the account rows must balance per
// currency and every fund row must agree with its account; at the end a
// replay of the accepted events must rebuild the same state, and the queries
// must answer over it. Aborts on any violation.
AppendOutcome RunAppendRequest(absl::string_view bytes);

// Drops protobuf's log lines (every invalid UTF-8 string a fuzzer makes up
// would print one). Call from LLVMFuzzerInitialize.
void QuietProtobufLogs();

}  // namespace ledger::fuzz

#endif  // LEDGER_TESTS_FUZZ_FUZZ_SUPPORT_H_
