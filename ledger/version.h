#ifndef LEDGER_VERSION_H_
#define LEDGER_VERSION_H_

// The version of this build: the project's version (CMakeLists.txt) and the
// git commit it was built from ("-modified" when the tree had changes,
// "unknown" outside a git checkout). ledger/version.cc is generated at every
// build (cmake/version.cmake).

#include <string>

#include "absl/strings/string_view.h"

namespace ledger {

absl::string_view Version();
absl::string_view GitCommit();
// "ledgerd (Solidarity Ledger) 0.2.0 (commit 0123456789ab)".
std::string VersionLine(absl::string_view program);

}  // namespace ledger

#endif  // LEDGER_VERSION_H_
