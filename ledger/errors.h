// Refusals with machine-readable details.
//
// Every refused request is an absl::Status whose code follows the design's
// rules table and which carries a solidarity.ledger.v1.ErrorDetail as a status
// payload (under kErrorDetailTypeUrl). The gRPC layer copies it into the
// grpc-status-details-bin trailer, so clients never parse messages.
#ifndef LEDGER_ERRORS_H_
#define LEDGER_ERRORS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

inline constexpr char kErrorDetailTypeUrl[] =
    "type.googleapis.com/solidarity.ledger.v1.ErrorDetail";

namespace v1 = ::solidarity::ledger::v1;

// Reasons (ErrorDetail.reason).
inline constexpr char kReasonInvalidField[] = "INVALID_FIELD";
inline constexpr char kReasonInsufficientFunds[] = "INSUFFICIENT_FUNDS";
inline constexpr char kReasonUnknownBeneficiary[] = "UNKNOWN_BENEFICIARY";
inline constexpr char kReasonBeneficiaryExists[] = "BENEFICIARY_EXISTS";
inline constexpr char kReasonBeneficiaryClosed[] = "BENEFICIARY_CLOSED";
inline constexpr char kReasonBalanceNotZero[] = "BALANCE_NOT_ZERO";
inline constexpr char kReasonUnknownBranch[] = "UNKNOWN_BRANCH";
inline constexpr char kReasonBranchAffiliated[] = "BRANCH_ALREADY_AFFILIATED";
inline constexpr char kReasonBranchNotAffiliated[] = "BRANCH_NOT_AFFILIATED";
inline constexpr char kReasonUnknownEvent[] = "UNKNOWN_EVENT";
inline constexpr char kReasonNotReversible[] = "NOT_REVERSIBLE";
inline constexpr char kReasonAlreadyReversed[] = "ALREADY_REVERSED";
inline constexpr char kReasonEventIdReused[] = "EVENT_ID_REUSED";
inline constexpr char kReasonHeadMoved[] = "HEAD_MOVED";
inline constexpr char kReasonQueueFull[] = "QUEUE_FULL";
// A member appending faster than ledgerd --append_events_per_second allows
// (RESOURCE_EXHAUSTED; ErrorDetail.retry_after_ms says when to try again).
inline constexpr char kReasonRateLimited[] = "RATE_LIMITED";
inline constexpr char kReasonOverflow[] = "OVERFLOW";
inline constexpr char kReasonStorage[] = "STORAGE";
// Dates (ledger/domain/registers.h, "dated rules").
inline constexpr char kReasonDateInFuture[] = "DATE_IN_FUTURE";
inline constexpr char kReasonDateBeforeRegistration[] = "DATE_BEFORE_REGISTRATION";
inline constexpr char kReasonDateBeforeAffiliation[] = "DATE_BEFORE_AFFILIATION";
inline constexpr char kReasonDateBeforeTarget[] = "DATE_BEFORE_TARGET";
inline constexpr char kReasonDateBeforeLastMovement[] = "DATE_BEFORE_LAST_MOVEMENT";
// Branch terms (BranchUpdated).
inline constexpr char kReasonPeriodAlreadyPaid[] = "PERIOD_ALREADY_PAID";
inline constexpr char kReasonTermsOutOfOrder[] = "TERMS_OUT_OF_ORDER";
// Members and tokens.
inline constexpr char kReasonMemberExists[] = "MEMBER_EXISTS";
inline constexpr char kReasonUnknownMember[] = "UNKNOWN_MEMBER";
inline constexpr char kReasonMemberRemoved[] = "MEMBER_REMOVED";
inline constexpr char kReasonLastAdmin[] = "LAST_ADMIN";
inline constexpr char kReasonTokenExists[] = "TOKEN_EXISTS";
inline constexpr char kReasonUnknownToken[] = "UNKNOWN_TOKEN";
inline constexpr char kReasonTokenRevoked[] = "TOKEN_REVOKED";
// Two to sign.
inline constexpr char kReasonRequestExists[] = "REQUEST_EXISTS";
inline constexpr char kReasonUnknownRequest[] = "UNKNOWN_REQUEST";
inline constexpr char kReasonRequestNotPending[] = "REQUEST_NOT_PENDING";
inline constexpr char kReasonRequestMismatch[] = "REQUEST_MISMATCH";
inline constexpr char kReasonSelfApproval[] = "SELF_APPROVAL";
inline constexpr char kReasonAlreadyApproved[] = "ALREADY_APPROVED";
inline constexpr char kReasonApprovalRequired[] = "APPROVAL_REQUIRED";
inline constexpr char kReasonDateBeforeRequest[] = "DATE_BEFORE_REQUEST";
// Closed periods.
inline constexpr char kReasonPeriodClosed[] = "PERIOD_CLOSED";
inline constexpr char kReasonProposalExists[] = "PROPOSAL_EXISTS";
inline constexpr char kReasonUnknownProposal[] = "UNKNOWN_PROPOSAL";
inline constexpr char kReasonProposalNotPending[] = "PROPOSAL_NOT_PENDING";
inline constexpr char kReasonProposalMismatch[] = "PROPOSAL_MISMATCH";
inline constexpr char kReasonPeriodNotAfterClosed[] = "PERIOD_NOT_AFTER_CLOSED";
inline constexpr char kReasonDateNotAfterPeriod[] = "DATE_NOT_AFTER_PERIOD";
// Calls: no valid token (UNAUTHENTICATED), or a role the caller lacks
// (PERMISSION_DENIED, ErrorDetail.role names it).
inline constexpr char kReasonBadToken[] = "BAD_TOKEN";
inline constexpr char kReasonRoleRequired[] = "ROLE_REQUIRED";
// Erasure of private details.
inline constexpr char kReasonUnknownParty[] = "UNKNOWN_PARTY";
inline constexpr char kReasonNoPrivateDetails[] = "NO_PRIVATE_DETAILS";
inline constexpr char kReasonAlreadyErased[] = "ALREADY_ERASED";
// A sensitive fund cannot be made public again.
inline constexpr char kReasonAlreadySensitive[] = "ALREADY_SENSITIVE";
// A ledger of an older format, or one that needs a key it was not given.
inline constexpr char kReasonFormat[] = "FORMAT";
// The private key file is missing, unreadable, open to others or not a key.
inline constexpr char kReasonKeyFile[] = "KEY_FILE";
// A token file is missing, unreadable, open to others, not a token, or
// (when a new token is to be written) already there.
inline constexpr char kReasonTokenFile[] = "TOKEN_FILE";
// A fee paid in another currency than the branch's fee basis is in
// (FAILED_PRECONDITION: it depends on the branch's terms, which a return
// on another basis changes).
inline constexpr char kReasonFeeCurrencyMismatch[] = "FEE_CURRENCY_MISMATCH";
// The verifiable log (ledger/transparency/).
inline constexpr char kReasonNoCheckpoint[] = "NO_CHECKPOINT";
inline constexpr char kReasonNotInCheckpoint[] = "NOT_IN_CHECKPOINT";
inline constexpr char kReasonUnknownCheckpoint[] = "UNKNOWN_CHECKPOINT";
inline constexpr char kReasonTreeSizeBeyondHead[] = "TREE_SIZE_BEYOND_HEAD";
inline constexpr char kReasonUnknownWitness[] = "UNKNOWN_WITNESS";
inline constexpr char kReasonBadCosignature[] = "BAD_COSIGNATURE";
// A request carries a field this server does not know.
inline constexpr char kReasonUnknownField[] = "UNKNOWN_FIELD";
// Bytes that do not parse as the method's request message.
inline constexpr char kReasonMalformedRequest[] = "MALFORMED_REQUEST";
// A backup's name that is not one safe path component under the server's
// backup root (or a request that names a path).
inline constexpr char kReasonBackupName[] = "BACKUP_NAME";

// A status with `code`, `message` and `detail` attached.
absl::Status WithDetail(absl::StatusCode code, absl::string_view message,
                        const v1::ErrorDetail& detail);

// INVALID_ARGUMENT naming `field`: "<field>: <problem>".
absl::Status InvalidField(absl::string_view field, absl::string_view problem);

// A status of `code` with a reason and, optionally, the field at fault.
absl::Status Refusal(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                     absl::string_view field = "");

// The ErrorDetail attached to `status`, if any.
std::optional<v1::ErrorDetail> GetErrorDetail(const absl::Status& status);

// Returns `status` with ErrorDetail.event_index set (adding a detail if none)
// and the message prefixed with "events[i]." where the field path starts so.
absl::Status AtEventIndex(absl::Status status, uint32_t index);

}  // namespace ledger

#endif  // LEDGER_ERRORS_H_
