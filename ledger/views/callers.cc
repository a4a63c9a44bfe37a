#include "ledger/views/callers.h"

#include <optional>

#include "ledger/crypto/tokens.h"
#include "ledger/errors.h"
#include "ledger/projections/books.h"
#include "ledger/projections/keys.h"
#include "ledger/status_macros.h"

namespace ledger {
namespace {

absl::Status BadToken() {
  return Refusal(absl::StatusCode::kUnauthenticated, kReasonBadToken,
                 "the token is not one this ledger knows, or it was revoked, or its member "
                 "was removed");
}

}  // namespace

absl::StatusOr<AuthenticatedMember> MemberOfToken(ReadView& view, absl::string_view token) {
  if (token.size() != kBearerTokenSize) return BadToken();
  const std::string hash = BearerTokenHash(token);
  RowBooks books(view);
  ASSIGN_OR_RETURN(std::optional<std::string> token_id, books.FindTokenIdByHash(hash));
  if (!token_id) return BadToken();
  ASSIGN_OR_RETURN(std::optional<v1::Token> row, books.FindToken(*token_id));
  if (!row || !SameTokenHash(row->token_hash(), hash) || row->status() != v1::STATUS_OPEN) {
    return BadToken();
  }
  ASSIGN_OR_RETURN(std::optional<v1::Member> member, books.FindMember(row->member_id()));
  if (!member || member->status() != v1::STATUS_OPEN) return BadToken();
  return AuthenticatedMember{*std::move(member), *std::move(token_id)};
}

absl::StatusOr<std::vector<v1::Member>> ListMemberRows(ReadView& view) {
  std::vector<v1::Member> out;
  RETURN_IF_ERROR(
      view.ForEach<v1::Member>(kMemberKeyPrefix, [&](absl::string_view, const v1::Member& m) {
        out.push_back(m);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<v1::Token>> ListTokenRows(ReadView& view) {
  std::vector<v1::Token> out;
  RETURN_IF_ERROR(
      view.ForEach<v1::Token>(kTokenKeyPrefix, [&](absl::string_view, const v1::Token& t) {
        out.push_back(t);
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace ledger
