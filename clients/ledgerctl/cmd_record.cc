// Treasurers' and admins' commands: each builds one event and appends it
// (but member list and whoami, which ask).
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/crypto/keyring.h"
#include "ledger/crypto/tokens.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/fees.h"
#include "ledger/domain/members.h"
#include "ledger/domain/registry.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

absl::StatusOr<v1::FeePeriod> PeriodOf(const Invocation& in) {
  const std::string s = in.Get("period", "monthly");
  if (s == "monthly") return v1::FEE_PERIOD_MONTHLY;
  if (s == "quarterly") return v1::FEE_PERIOD_QUARTERLY;
  if (s == "annual" || s == "annually" || s == "yearly") return v1::FEE_PERIOD_ANNUAL;
  return Usage(in, absl::StrCat("--period must be monthly, quarterly or annual, not \"", s, "\""),
               "--period");
}

absl::StatusOr<v1::DonorKind> DonorOf(const Invocation& in) {
  const std::string s = in.Get("donor", in.Has("branch") ? "branch" : "individual");
  if (s == "individual") return v1::DONOR_KIND_INDIVIDUAL;
  if (s == "branch") return v1::DONOR_KIND_BRANCH;
  if (s == "organisation" || s == "organization") return v1::DONOR_KIND_ORGANISATION;
  if (s == "anonymous") return v1::DONOR_KIND_ANONYMOUS;
  return Usage(in,
               absl::StrCat("--donor must be individual, branch, organisation or anonymous, not \"",
                            s, "\""),
               "--donor");
}

absl::StatusOr<v1::ReversalKind> ReversalKindOf(const Invocation& in) {
  constexpr char kKinds[] = "refund, correction, duplicate or chargeback";
  if (!in.Has("kind")) {
    return Usage(in, absl::StrCat("needs --kind: ", kKinds), "--kind");
  }
  const std::string kind = in.Get("kind");
  if (kind == "refund") return v1::REVERSAL_KIND_REFUND;
  if (kind == "correction") return v1::REVERSAL_KIND_CORRECTION;
  if (kind == "duplicate") return v1::REVERSAL_KIND_DUPLICATE;
  if (kind == "chargeback") return v1::REVERSAL_KIND_CHARGEBACK;
  return Usage(in, absl::StrCat("--kind must be ", kKinds, ", not \"", kind, "\""), "--kind");
}

// --shown-publicly yes|no; nullopt when not given.
absl::StatusOr<std::optional<bool>> ShownPublicly(const Invocation& in) {
  if (!in.Has("shown-publicly")) return std::optional<bool>();
  const std::string v = in.Get("shown-publicly");
  if (v == "yes") return std::optional<bool>(true);
  if (v == "no") return std::optional<bool>(false);
  return Usage(in, absl::StrCat("--shown-publicly takes yes or no, not \"", v, "\""),
               "--shown-publicly");
}

// The fee of a basis: --fee, or --fee-per-member [--minimum].
absl::Status FeeAmounts(const Invocation& in, v1::FeeBasis* basis) {
  if (in.Has("fee") && in.Has("fee-per-member")) {
    return Usage(in, "takes --fee or --fee-per-member, not both", "--fee");
  }
  if (in.Has("minimum") && !in.Has("fee-per-member")) {
    return Usage(in, "--minimum goes with --fee-per-member", "--minimum");
  }
  if (in.Has("fee")) {
    ASSIGN_OR_RETURN(*basis->mutable_fixed()->mutable_fee(), MoneyOf(in, in.Get("fee"), "--fee"));
    return absl::OkStatus();
  }
  if (!in.Has("fee-per-member")) {
    return Usage(in, "needs --fee \"10.00 GBP\" or --fee-per-member \"0.50 GBP\"", "--fee");
  }
  auto* per_member = basis->mutable_per_member();
  ASSIGN_OR_RETURN(*per_member->mutable_fee_per_member(),
                   MoneyOf(in, in.Get("fee-per-member"), "--fee-per-member"));
  if (in.Has("minimum")) {
    ASSIGN_OR_RETURN(*per_member->mutable_minimum(), MoneyOf(in, in.Get("minimum"), "--minimum"));
  }
  return absl::OkStatus();
}

// The fee basis of `branch affiliate`: its period and fee.
absl::Status FeeBasis(const Invocation& in, v1::FeeBasis* basis) {
  ASSIGN_OR_RETURN(v1::FeePeriod period, PeriodOf(in));
  basis->set_period(period);
  return FeeAmounts(in, basis);
}

}  // namespace

absl::StatusOr<int> RunBeneficiaryAdd(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "name", "\"Display name\""));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_beneficiary_registered();
  e->set_beneficiary_id(in.Positional("ID"));
  e->set_display_name(in.Get("name"));
  e->set_purpose(in.Get("purpose"));
  e->set_sensitive(in.Has("sensitive"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBeneficiaryUpdate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_beneficiary_updated();
  e->set_beneficiary_id(in.Positional("ID"));
  e->set_display_name(in.Get("name"));
  e->set_purpose(in.Get("purpose"));
  if (in.Has("sensitive")) e->set_sensitive(true);
  if (!in.Has("name") && !in.Has("purpose") && !in.Has("sensitive")) {
    return Usage(in, "changes nothing: give --name, --purpose or --sensitive", "--name");
  }
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunPartyErase(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "TEXT"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_party_erased();
  e->set_party_ref(in.Positional("REF"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunEventEraseDetails(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "TEXT"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_event_details_erased();
  e->set_target_event_id(in.Positional("EVENT_ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBeneficiaryClose(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_beneficiary_closed();
  e->set_beneficiary_id(in.Positional("ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchAffiliate(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "union", "NAME"));
  RETURN_IF_ERROR(Require(in, "branch-name", "NAME"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_branch_affiliated();
  e->set_branch_id(in.Positional("ID"));
  e->set_union_name(in.Get("union"));
  e->set_branch_name(in.Get("branch-name"));
  e->set_region(in.Get("region"));
  ASSIGN_OR_RETURN(int64_t members, IntOption(in, "members", 0, 0, INT32_MAX));
  e->set_members(members);
  RETURN_IF_ERROR(FeeBasis(in, e->mutable_fee_basis()));
  ASSIGN_OR_RETURN(std::optional<bool> shown, ShownPublicly(in));
  e->set_shown_publicly(shown.value_or(false));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchUpdate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_branch_updated();
  e->set_branch_id(in.Positional("ID"));
  ASSIGN_OR_RETURN(std::optional<bool> shown, ShownPublicly(in));
  if (shown) e->set_shown_publicly(*shown);
  const bool new_terms =
      in.Has("members") || in.Has("fee") || in.Has("fee-per-member") || in.Has("minimum");
  // New terms start from a fee period; whether it is shown needs none.
  if (new_terms || !shown) RETURN_IF_ERROR(Require(in, "from-period", "YYYY-MM-DD"));
  e->set_from_period(in.Get("from-period"));
  if (in.Has("members")) {
    ASSIGN_OR_RETURN(int64_t members, IntOption(in, "members", 0, 0, INT32_MAX));
    e->set_members(members);
  }
  if (in.Has("fee") || in.Has("fee-per-member") || in.Has("minimum")) {
    // The period stays the branch's own (FEE_PERIOD_UNSPECIFIED).
    RETURN_IF_ERROR(FeeAmounts(in, e->mutable_fee_basis()));
  }
  if (!in.Has("members") && !e->has_fee_basis() && !shown) {
    return Usage(in, "changes nothing: give --members, --fee, --fee-per-member or --shown-publicly",
                 "--members");
  }
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchDisaffiliate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_branch_disaffiliated();
  e->set_branch_id(in.Positional("ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunBranchPayFee(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_affiliation_fee_paid();
  e->set_branch_id(in.Positional("ID"));
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  ASSIGN_OR_RETURN(int64_t periods, IntOption(in, "periods", 1, 1, INT32_MAX));
  e->set_periods(static_cast<int32_t>(periods));
  e->set_method(in.Get("method"));
  e->set_reference(in.Get("reference"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunDonate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_donation_received();
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  ASSIGN_OR_RETURN(v1::DonorKind donor, DonorOf(in));
  e->set_donor_kind(donor);
  e->set_branch_id(in.Get("branch"));
  e->set_donor_ref(in.Get("donor-ref"));
  e->set_earmark_beneficiary_id(in.Get("to"));
  e->set_method(in.Get("method"));
  e->set_reference(in.Get("reference"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunAllocate(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_funds_allocated();
  e->set_beneficiary_id(in.Positional("BENEFICIARY"));
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunTransfer(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_funds_transferred();
  e->set_from_beneficiary_id(in.Positional("FROM"));
  // "general" is the general fund; "beneficiary/ID" names a beneficiary
  // whose id is "general".
  absl::string_view to = in.Positional("TO");
  if (to == "general") to = "";
  absl::ConsumePrefix(&to, "beneficiary/");
  e->set_to_beneficiary_id(std::string(to));
  ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Positional("AMOUNT"), "AMOUNT"));
  constexpr char kAuthorities[] = "donor-consent or committee-decision";
  if (!in.Has("authority")) {
    return Usage(in, absl::StrCat("needs --authority: ", kAuthorities), "--authority");
  }
  const std::string authority = in.Get("authority");
  if (authority == "donor-consent") {
    e->set_authority(v1::TRANSFER_AUTHORITY_DONOR_CONSENT);
  } else if (authority == "committee-decision") {
    e->set_authority(v1::TRANSFER_AUTHORITY_COMMITTEE_DECISION);
  } else {
    return Usage(in,
                 absl::StrCat("--authority must be ", kAuthorities, ", not \"", authority, "\""),
                 "--authority");
  }
  e->set_authority_reference(in.Get("authority-ref"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunReverse(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_event_reversed();
  e->set_target_event_id(in.Positional("EVENT_ID"));
  ASSIGN_OR_RETURN(v1::ReversalKind kind, ReversalKindOf(in));
  e->set_kind(kind);
  RETURN_IF_ERROR(Require(in, "reason", "\"why\""));
  e->set_reason(in.Get("reason"));
  if (in.Has("amount")) {
    ASSIGN_OR_RETURN(*e->mutable_amount(), MoneyOf(in, in.Get("amount"), "--amount"));
  }
  return AppendOne(in, std::move(input));
}

}  // namespace ledgerctl

// ------------------------------------------------------------------ admins

namespace ledgerctl {
namespace {

// --role viewer,treasurer as roles, each once.
absl::Status RolesOf(const Invocation& in, google::protobuf::RepeatedField<int>* roles) {
  RETURN_IF_ERROR(Require(in, "role", "R[,R]"));
  for (absl::string_view word : absl::StrSplit(in.Get("role"), ',', absl::SkipWhitespace())) {
    const v1::Role role = ledger::RoleNamed(absl::StripAsciiWhitespace(word));
    if (role == v1::ROLE_UNSPECIFIED) {
      return Usage(in,
                   absl::StrCat("--role takes viewer, treasurer, approver, auditor or admin "
                                "(comma-separated), not \"",
                                word, "\""),
                   "--role");
    }
    if (std::find(roles->begin(), roles->end(), role) != roles->end()) {
      return Usage(in, absl::StrCat("--role names ", ledger::RoleName(role), " twice"), "--role");
    }
    roles->Add(role);
  }
  if (roles->empty()) return Usage(in, "--role needs at least one role", "--role");
  return absl::OkStatus();
}

std::string RolesText(const google::protobuf::RepeatedField<int>& roles) {
  std::vector<std::string> names;
  for (int r : roles) names.emplace_back(ledger::RoleName(static_cast<v1::Role>(r)));
  return absl::StrJoin(names, ",");
}

const char* StatusWord(v1::Status status, const char* open, const char* closed) {
  return status == v1::STATUS_OPEN ? open : closed;
}

}  // namespace

absl::StatusOr<int> RunMemberAdd(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_member_added();
  e->set_member_id(in.Positional("ID"));
  e->set_display_name(in.Get("name"));
  RETURN_IF_ERROR(RolesOf(in, e->mutable_roles()));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunMemberRoles(const Invocation& in) {
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_member_roles_changed();
  e->set_member_id(in.Positional("ID"));
  RETURN_IF_ERROR(RolesOf(in, e->mutable_roles()));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunMemberRemove(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "TEXT"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_member_removed();
  e->set_member_id(in.Positional("ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunTokenRevoke(const Invocation& in) {
  RETURN_IF_ERROR(Require(in, "reason", "TEXT"));
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_token_revoked();
  e->set_token_id(in.Positional("TOKEN_ID"));
  e->set_reason(in.Get("reason"));
  return AppendOne(in, std::move(input));
}

absl::StatusOr<int> RunTokenIssue(const Invocation& in) {
  // The token is made here and never sent: the ledger gets its hash.
  const std::string token = ledger::NewBearerToken();
  const std::string& member = in.Positional("MEMBER");
  v1::EventInput input;
  auto* e = input.mutable_body()->mutable_token_issued();
  e->set_token_id(in.Get("token-id", absl::StrCat(member, "-", Hex(ledger::RandomBytes(4)))));
  e->set_member_id(member);
  e->set_token_hash(ledger::BearerTokenHash(token));
  e->set_label(in.Get("label"));
  const std::string output = in.Get("output");
  if (!output.empty()) {
    // Written before the token exists in the ledger, so that a token that
    // works is never lost; removed again if the append is refused.
    RETURN_IF_ERROR(ledger::WriteNewTokenFile(output, token));
  }
  Extras extras;
  extras.json = {{"token_id", JsonQuote(e->token_id())},
                 {"token", JsonQuote(output.empty() ? Hex(token) : "")},
                 {"token_file", JsonQuote(output)}};
  extras.text =
      output.empty()
          ? absl::StrCat("token ", Terminal(e->token_id()), " for ", Terminal(member),
                         " (shown once; the ledger keeps only its hash):\n", Hex(token), "\n")
          : absl::StrCat("token ", Terminal(e->token_id()), " for ", Terminal(member),
                         " written to ", Terminal(output), " (mode 0600)\n");
  absl::StatusOr<int> appended = AppendOne(in, std::move(input), extras);
  if (!output.empty() && (!appended.ok() || *appended != kExitOk)) std::remove(output.c_str());
  return appended;
}

absl::StatusOr<int> RunMemberList(const Invocation& in) {
  Client client(in.globals());
  v1::ListMembersResponse r;
  RETURN_IF_ERROR(client.Call([&](grpc::ClientContext* c) {
    return client.admin().ListMembers(c, v1::ListMembersRequest(), &r);
  }));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  Table members({"MEMBER", "ROLES", "STATUS", "ADDED", "REMOVED"});
  for (const v1::Member& m : r.members()) {
    members.Add({m.member_id(), RolesText(m.roles()), StatusWord(m.status(), "member", "removed"),
                 m.added_on(), m.removed_on()});
  }
  members.Print(std::cout);
  std::cout << "\n";
  Table tokens({"TOKEN", "MEMBER", "STATUS", "ISSUED", "REVOKED", "HASH"});
  for (const v1::Token& t : r.tokens()) {
    tokens.Add({t.token_id(), t.member_id(), StatusWord(t.status(), "active", "revoked"),
                t.issued_on(), t.revoked_on(), ShortHash(t.token_hash())});
  }
  tokens.Print(std::cout);
  return kExitOk;
}

absl::StatusOr<int> RunWhoAmI(const Invocation& in) {
  Client client(in.globals());
  v1::WhoAmIResponse r;
  RETURN_IF_ERROR(client.Call(
      [&](grpc::ClientContext* c) { return client.admin().WhoAmI(c, v1::WhoAmIRequest(), &r); }));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  if (r.member_id().empty()) {
    std::cout << "the public (no token)\n";
  } else {
    std::cout << Terminal(r.member_id()) << " (" << RolesText(r.roles()) << "), token "
              << Terminal(r.token_id()) << "\n";
  }
  return kExitOk;
}

}  // namespace ledgerctl
