#include "services/founder.h"

#include "absl/strings/str_cat.h"
#include "ledger/crypto/tokens.h"
#include "ledger/domain/civil_date.h"
#include "ledger/projections/books.h"
#include "ledger/status_macros.h"

namespace ledger {

Founding NewFounding(absl::string_view member_id) {
  Founding f;
  f.member.set_member_id(std::string(member_id));
  f.member.set_display_name("Founding admin");
  for (v1::Role r :
       {v1::ROLE_VIEWER, v1::ROLE_TREASURER, v1::ROLE_APPROVER, v1::ROLE_AUDITOR, v1::ROLE_ADMIN}) {
    f.member.add_roles(r);
  }
  f.secret = NewBearerToken();
  f.token.set_token_id(absl::StrCat(member_id, "-1"));
  f.token.set_member_id(std::string(member_id));
  f.token.set_token_hash(BearerTokenHash(f.secret));
  f.token.set_label("written by ledgerd when it made this admin");
  return f;
}

void FoundWith(const Founding& founding, EventLogOptions& options) {
  options.founder = founding.member;
  options.founder_token = founding.token;
}

absl::StatusOr<bool> HasActiveAdmin(EventLog& log) {
  auto view = log.NewReadView();
  RowBooks books(*view);
  ASSIGN_OR_RETURN(int admins, books.CountActiveAdmins());
  return admins > 0;
}

absl::StatusOr<std::string> FreeFounderId(EventLog& log) {
  auto view = log.NewReadView();
  RowBooks books(*view);
  std::string member_id = "admin";
  for (int n = 2;; ++n) {
    ASSIGN_OR_RETURN(std::optional<v1::Member> taken, books.FindMember(member_id));
    ASSIGN_OR_RETURN(std::optional<v1::Token> token_taken,
                     books.FindToken(absl::StrCat(member_id, "-1")));
    if (!taken && !token_taken) return member_id;
    member_id = absl::StrCat("admin-", n);
  }
}

absl::Status AppendFounder(EventLog& log, const Founding& founding, absl::string_view why) {
  const std::string today = FormatDate(TodayUtc(log.clock()));
  v1::AppendRequest request;
  v1::EventInput* member = request.add_events();
  member->set_event_id(absl::StrCat("founder-", founding.member.member_id()));
  member->set_occurred_on(today);
  member->set_memo(std::string(why));
  *member->mutable_body()->mutable_member_added() = founding.member;
  v1::EventInput* token = request.add_events();
  token->set_event_id(absl::StrCat("founder-", founding.token.token_id()));
  token->set_occurred_on(today);
  *token->mutable_body()->mutable_token_issued() = founding.token;
  return log.Append(request, "ledgerd").status();
}

}  // namespace ledger
