// Who is calling: the member a bearer token belongs to, read from one
// ReadView (the token, member and hash rows of the governance registers).
//
// A token is good when its hash names a token row (tokh/<hex> -> tok/<id>),
// the stored hash equals the caller's (compared in constant time), the
// token has not been revoked and its member has not been removed. Anything
// else is UNAUTHENTICATED with reason BAD_TOKEN and one message for every
// case, so that a caller learns nothing about which tokens exist.
#ifndef LEDGER_VIEWS_CALLERS_H_
#define LEDGER_VIEWS_CALLERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/storage/read_view.h"
#include "solidarity/ledger/v1/projections.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// An authenticated caller.
struct AuthenticatedMember {
  v1::Member row;        // the member as the registers hold it
  std::string token_id;  // the token they called with
};

// The member holding `token` (its 32 bytes), as of `view`.
absl::StatusOr<AuthenticatedMember> MemberOfToken(ReadView& view, absl::string_view token);

// Every member (removed ones too), by id.
absl::StatusOr<std::vector<v1::Member>> ListMemberRows(ReadView& view);
// Every token (revoked ones too), by id.
absl::StatusOr<std::vector<v1::Token>> ListTokenRows(ReadView& view);

}  // namespace ledger

#endif  // LEDGER_VIEWS_CALLERS_H_
