// TokenIssued: a bearer token for a member. The issuer made the token and
// sends only its SHA-256; the ledger never sees or stores the token.
#include "ledger/domain/events/kind_support.h"
#include "ledger/domain/members.h"

namespace ledger {
namespace {

constexpr char kName[] = "token_issued";

class TokenIssued final : public EventKind {
 public:
  v1::EventBody::KindCase kind_case() const override { return v1::EventBody::kTokenIssued; }
  absl::string_view name() const override { return kName; }
  v1::Role RequiredRole() const override { return v1::ROLE_ADMIN; }

  absl::Status Validate(const v1::EventBody& body) const override {
    return ValidateTokenIssued(body.token_issued(), absl::StrCat("body.", kName));
  }

  absl::Status Decide(const Decision& d, Books& books, Effects& out) const override {
    const auto& e = d.body().token_issued();
    RETURN_IF_ERROR(
        LoadActiveMember(books, e.member_id(), events::FieldOf(kName, "member_id")).status());
    RETURN_IF_ERROR(CheckNewToken(books, e, absl::StrCat("body.", kName)));
    out.token_rows.push_back(TokenRowOf(e, d.position, d.occurred_on()));
    return absl::OkStatus();
  }

  std::string Describe(const v1::EventBody& body) const override {
    return absl::StrCat("token ", body.token_issued().token_id(), " issued to ",
                        body.token_issued().member_id());
  }

  EventDetails Details(const v1::EventBody& body) const override {
    EventDetails d;
    d.name = body.token_issued().member_id();
    d.details = body.token_issued().label();
    d.reference = body.token_issued().token_id();
    return d;
  }
};

}  // namespace

const EventKind& TokenIssuedKind() {
  static const TokenIssued kind;
  return kind;
}

}  // namespace ledger
