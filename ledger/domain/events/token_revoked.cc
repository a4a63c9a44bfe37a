// TokenRevoked: a token stops working, from the commit on.
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/members.h"

namespace ledger {
namespace {

constexpr char kName[] = "token_revoked";

class TokenRevoked final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kTokenRevoked; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    const auto& e = body.token_revoked();
    RETURN_IF_ERROR(CheckId(events::FieldOf(kName, "token_id"), e.token_id()));
    return CheckMemo(events::FieldOf(kName, "reason"), e.reason(), Presence::kOptional);
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().token_revoked();
    const std::string field = events::FieldOf(kName, "token_id");
    ASSIGN_OR_RETURN(std::optional<v1::Token> t, books.FindToken(e.token_id()));
    if (!t) {
      return Refusal(absl::StatusCode::kNotFound, kReasonUnknownToken,
                     absl::StrCat(field, ": no token \"", e.token_id(), "\""), field);
    }
    if (t->status() != v1::STATUS_OPEN) {
      return Refusal(
          absl::StatusCode::kFailedPrecondition, kReasonTokenRevoked,
          absl::StrCat(field, ": token ", e.token_id(), " was revoked on ", t->revoked_on()),
          field);
    }
    t->set_status(v1::STATUS_CLOSED);
    t->set_revoked_on(d.occurred_on());
    out.token_rows.push_back(*std::move(t));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("token ", body.token_revoked().token_id(), " revoked");
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.reference = body.token_revoked().token_id();
    d.details = body.token_revoked().reason();
    return d;
  }
};

}  // namespace

const EventKind& TokenRevokedKind() {
  static const TokenRevoked kind;
  return kind;
}

}  // namespace ledger
