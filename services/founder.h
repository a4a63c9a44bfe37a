// The founding admin of a ledger: the first member, holding every role, and
// their first token, made by whoever creates the ledger (ledgerd, the test
// fixtures).
//
// A new ledger gets them in its genesis event (EventLogOptions::founder,
// founder_token). A ledger that has no admin who has not been removed (one
// made before members existed, or migrated from one) gets them appended
// when ledgerd starts (AppendFounder). Either way the token's 32
// bytes go to the one who asked, once; the log keeps only its SHA-256.
//
// Thread-safety: AppendFounder appends through the EventLog (any
// thread); the rest is pure.
#ifndef SERVICES_FOUNDER_H_
#define SERVICES_FOUNDER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ledger/writer/event_log.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

struct Founding {
  v1::MemberAdded member;  // "admin", every role
  v1::TokenIssued token;   // "admin-1", the hash of `secret`
  std::string secret;      // the token's 32 bytes
};

// A founder with a fresh token, named `member_id` (token `<member_id>-1`).
Founding NewFounding(absl::string_view member_id = "admin");

// Sets `options` to create the ledger with `founding` in its genesis.
void FoundWith(const Founding& founding, EventLogOptions& options);

// A member id for a founder that no member or token has taken: "admin",
// else "admin-2", "admin-3", ...
absl::StatusOr<std::string> FreeFounderId(EventLog& log);

// Appends `founding` as MemberAdded and TokenIssued, actor "ledgerd", dated
// today, with `why` as the member event's memo (a ledger that has no active
// admin, or an operator who lost every admin token: ledgerd --recover_admin).
absl::Status AppendFounder(EventLog& log, const Founding& founding,
                           absl::string_view why =
                               "a founding admin, added by ledgerd: the "
                               "ledger had no admin");

// Whether `log` has an admin who has not been removed.
absl::StatusOr<bool> HasActiveAdmin(EventLog& log);

}  // namespace ledger

#endif  // SERVICES_FOUNDER_H_
