// Goal: the governance kinds (ledger/domain/events/member_added.cc,
// member_roles_changed.cc, member_removed.cc, token_issued.cc,
// token_revoked.cc) and the founder a genesis may carry
// (ledger_opened.cc), decided over an in-memory state. Members are added
// once and never reused; the ledger always keeps one admin (removing or
// demoting the last one is refused, LAST_ADMIN); a token names a member who
// has not been removed, carries a 32-byte hash never issued before, and is
// revoked once. Every kind is recorded only by an admin (RequiredRole).
#include "ledger/domain/members.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/crypto/tokens.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/registry.h"
#include "ledger/limits.h"
#include "tests/testing/test_util.h"
#include "tests/unit/domain/domain_testing.h"

namespace ledger::testing {
namespace {

v1::EventInput AddMember(absl::string_view id, std::initializer_list<v1::Role> roles) {
  v1::EventInput in;
  in.set_event_id(absl::StrCat("add-", id));
  in.set_occurred_on("2026-03-01");
  auto* e = in.mutable_body()->mutable_member_added();
  e->set_member_id(std::string(id));
  e->set_display_name("A member");
  for (v1::Role r : roles) e->add_roles(r);
  return in;
}

v1::EventInput ChangeRoles(absl::string_view id, std::initializer_list<v1::Role> roles) {
  v1::EventInput in;
  in.set_event_id(absl::StrCat("roles-", id));
  in.set_occurred_on("2026-03-01");
  auto* e = in.mutable_body()->mutable_member_roles_changed();
  e->set_member_id(std::string(id));
  for (v1::Role r : roles) e->add_roles(r);
  return in;
}

v1::EventInput RemoveMember(absl::string_view id) {
  v1::EventInput in;
  in.set_event_id(absl::StrCat("remove-", id));
  in.set_occurred_on("2026-03-01");
  auto* e = in.mutable_body()->mutable_member_removed();
  e->set_member_id(std::string(id));
  e->set_reason("left the committee");
  return in;
}

v1::EventInput IssueToken(absl::string_view token_id, absl::string_view member_id,
                          absl::string_view token = "") {
  v1::EventInput in;
  in.set_event_id(absl::StrCat("issue-", token_id));
  in.set_occurred_on("2026-03-01");
  auto* e = in.mutable_body()->mutable_token_issued();
  e->set_token_id(std::string(token_id));
  e->set_member_id(std::string(member_id));
  e->set_token_hash(
      BearerTokenHash(token.empty() ? absl::StrCat("token of ", token_id) : std::string(token)));
  e->set_label("laptop");
  return in;
}

v1::EventInput RevokeToken(absl::string_view token_id) {
  v1::EventInput in;
  in.set_event_id(absl::StrCat("revoke-", token_id));
  in.set_occurred_on("2026-03-01");
  auto* e = in.mutable_body()->mutable_token_revoked();
  e->set_token_id(std::string(token_id));
  e->set_reason("lost");
  return in;
}

// "alice OPEN viewer,admin added=2026-03-01@2" or "none".
std::string StoredMember(MemoryLedger& ledger, absl::string_view id) {
  auto m = ledger.books().FindMember(id);
  if (!m.ok()) return std::string(m.status().message());
  if (!*m) return "none";
  std::string roles;
  for (int r : (*m)->roles()) {
    absl::StrAppend(&roles, roles.empty() ? "" : ",", RoleName(static_cast<v1::Role>(r)));
  }
  return absl::StrCat((*m)->member_id(), " ", v1::Status_Name((*m)->status()), " ", roles,
                      " added=", (*m)->added_on(), "@", (*m)->added_position(),
                      (*m)->removed_on().empty() ? "" : " removed=", (*m)->removed_on());
}

std::string StoredToken(MemoryLedger& ledger, absl::string_view id) {
  auto t = ledger.books().FindToken(id);
  if (!t.ok()) return std::string(t.status().message());
  if (!*t) return "none";
  return absl::StrCat((*t)->token_id(), " of ", (*t)->member_id(), " ",
                      v1::Status_Name((*t)->status()), " hash=", (*t)->token_hash().size(),
                      "B issued=", (*t)->issued_on(), "@", (*t)->issued_position(),
                      (*t)->revoked_on().empty() ? "" : " revoked=", (*t)->revoked_on());
}

class MembersTest : public ::testing::Test {
 protected:
  void SetUp() override { ledger_.Given({AddMember("alice", {v1::ROLE_ADMIN})}); }

  MemoryLedger ledger_;
};

TEST_F(MembersTest, AMemberIsAddedWithSortedRolesAndNamedByTheirId) {
  ledger_.Given({AddMember("bob", {v1::ROLE_TREASURER, v1::ROLE_VIEWER})});
  EXPECT_EQ(StoredMember(ledger_, "bob"), "bob STATUS_OPEN viewer,treasurer added=2026-03-01@3");
  EXPECT_EQ(DescribeEvent(AddMember("bob", {v1::ROLE_TREASURER}).body()),
            "member bob added (treasurer)");
  EXPECT_EQ(KindOf(AddMember("bob", {}).body())->RequiredRole(), v1::ROLE_ADMIN);
}

TEST_F(MembersTest, Stage1RefusesBadRolesAndIds) {
  auto added = [](v1::EventInput& in) { return in.mutable_body()->mutable_member_added(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.member_added.";
  ExpectStage1(
      AddMember("bob", {v1::ROLE_VIEWER}),
      {
          {"no id", [&](auto& in) { added(in)->clear_member_id(); }, bad + "member_id"},
          {"a bad id", [&](auto& in) { added(in)->set_member_id("Bob Smith"); }, bad + "member_id"},
          {"no role", [&](auto& in) { added(in)->clear_roles(); }, bad + "roles"},
          {"a role twice", [&](auto& in) { added(in)->add_roles(v1::ROLE_VIEWER); }, bad + "roles"},
          {"an unknown role", [&](auto& in) { added(in)->add_roles(v1::Role(42)); }, bad + "roles"},
          {"ROLE_UNSPECIFIED", [&](auto& in) { added(in)->add_roles(v1::ROLE_UNSPECIFIED); },
           bad + "roles"},
          {"a name over its limit",
           [&](auto& in) { added(in)->set_display_name(std::string(kMaxNameLength + 1, 'n')); },
           bad + "display_name"},
      });
}

TEST_F(MembersTest, AMemberIdIsNeverReused) {
  EXPECT_EQ(Render(ledger_.Decide(AddMember("alice", {v1::ROLE_VIEWER}))),
            "ALREADY_EXISTS MEMBER_EXISTS field=body.member_added.member_id");
  ledger_.Given({AddMember("bob", {v1::ROLE_VIEWER}), RemoveMember("bob")});
  EXPECT_EQ(Render(ledger_.Decide(WithId(AddMember("bob", {v1::ROLE_VIEWER}), "again"))),
            "ALREADY_EXISTS MEMBER_EXISTS field=body.member_added.member_id");
}

TEST_F(MembersTest, UnknownAndRemovedMembersAreRefused) {
  const std::string unknown = "NOT_FOUND UNKNOWN_MEMBER field=body.";
  EXPECT_EQ(Render(ledger_.Decide(ChangeRoles("nobody", {v1::ROLE_VIEWER}))),
            unknown + "member_roles_changed.member_id");
  EXPECT_EQ(Render(ledger_.Decide(RemoveMember("nobody"))), unknown + "member_removed.member_id");
  EXPECT_EQ(Render(ledger_.Decide(IssueToken("t1", "nobody"))), unknown + "token_issued.member_id");
  ledger_.Given({AddMember("bob", {v1::ROLE_VIEWER}), RemoveMember("bob")});
  EXPECT_EQ(StoredMember(ledger_, "bob"),
            "bob STATUS_CLOSED viewer added=2026-03-01@3 removed=2026-03-01");
  const std::string removed = "FAILED_PRECONDITION MEMBER_REMOVED field=body.";
  EXPECT_EQ(Render(ledger_.Decide(ChangeRoles("bob", {v1::ROLE_ADMIN}))),
            removed + "member_roles_changed.member_id");
  EXPECT_EQ(Render(ledger_.Decide(WithId(RemoveMember("bob"), "twice"))),
            removed + "member_removed.member_id");
  // A token for a removed member.
  EXPECT_EQ(Render(ledger_.Decide(IssueToken("t1", "bob"))), removed + "token_issued.member_id");
}

TEST_F(MembersTest, TheLastAdminCannotBeRemovedOrDemoted) {
  EXPECT_EQ(Render(ledger_.Decide(RemoveMember("alice"))),
            "FAILED_PRECONDITION LAST_ADMIN field=body.member_removed.member_id");
  EXPECT_EQ(Render(ledger_.Decide(ChangeRoles("alice", {v1::ROLE_VIEWER}))),
            "FAILED_PRECONDITION LAST_ADMIN field=body.member_roles_changed.roles");
  // Keeping admin among other roles is fine.
  EXPECT_TRUE(ledger_.Decide(ChangeRoles("alice", {v1::ROLE_ADMIN, v1::ROLE_AUDITOR})).ok());
  // With a second admin, either may go.
  ledger_.Given({AddMember("carol", {v1::ROLE_ADMIN})});
  ledger_.Given({ChangeRoles("alice", {v1::ROLE_VIEWER})});
  EXPECT_EQ(StoredMember(ledger_, "alice"), "alice STATUS_OPEN viewer added=2026-03-01@2");
  EXPECT_EQ(Render(ledger_.Decide(RemoveMember("carol"))),
            "FAILED_PRECONDITION LAST_ADMIN field=body.member_removed.member_id");
  // A removed admin does not count.
  ledger_.Given({WithId(ChangeRoles("alice", {v1::ROLE_ADMIN}), "promote")});
  ledger_.Given({RemoveMember("alice")});
  EXPECT_EQ(Render(ledger_.Decide(WithId(ChangeRoles("carol", {v1::ROLE_VIEWER}), "demote"))),
            "FAILED_PRECONDITION LAST_ADMIN field=body.member_roles_changed.roles");
}

TEST_F(MembersTest, ATokenIsIssuedWithItsHashOnly) {
  ledger_.Given({IssueToken("alice-1", "alice")});
  EXPECT_EQ(StoredToken(ledger_, "alice-1"),
            "alice-1 of alice STATUS_OPEN hash=32B issued=2026-03-01@3");
  auto by_hash = ledger_.books().FindTokenIdByHash(BearerTokenHash("token of alice-1"));
  ASSERT_TRUE(by_hash.ok());
  EXPECT_EQ(by_hash->value_or("none"), "alice-1");
  EXPECT_EQ(DescribeEvent(IssueToken("alice-1", "alice").body()), "token alice-1 issued to alice");
}

TEST_F(MembersTest, ATokenHashIs32Bytes) {
  auto issued = [](v1::EventInput& in) { return in.mutable_body()->mutable_token_issued(); };
  const std::string bad = "INVALID_ARGUMENT INVALID_FIELD field=body.token_issued.";
  ExpectStage1(
      IssueToken("t1", "alice"),
      {
          {"no hash", [&](auto& in) { issued(in)->clear_token_hash(); }, bad + "token_hash"},
          {"31 bytes", [&](auto& in) { issued(in)->set_token_hash(std::string(31, 'h')); },
           bad + "token_hash"},
          {"the token itself in hex",
           [&](auto& in) { issued(in)->set_token_hash(std::string(64, 'a')); }, bad + "token_hash"},
          {"no token id", [&](auto& in) { issued(in)->clear_token_id(); }, bad + "token_id"},
          {"no member", [&](auto& in) { issued(in)->clear_member_id(); }, bad + "member_id"},
      });
}

TEST_F(MembersTest, ATokenIdOrHashIsIssuedOnce) {
  ledger_.Given({IssueToken("alice-1", "alice", "secret one")});
  EXPECT_EQ(Render(ledger_.Decide(WithId(IssueToken("alice-1", "alice", "secret two"), "x"))),
            "ALREADY_EXISTS TOKEN_EXISTS field=body.token_issued.token_id");
  EXPECT_EQ(Render(ledger_.Decide(WithId(IssueToken("alice-2", "alice", "secret one"), "y"))),
            "ALREADY_EXISTS TOKEN_EXISTS field=body.token_issued.token_hash");
}

TEST_F(MembersTest, ATokenIsRevokedOnce) {
  EXPECT_EQ(Render(ledger_.Decide(RevokeToken("nope"))),
            "NOT_FOUND UNKNOWN_TOKEN field=body.token_revoked.token_id");
  ledger_.Given({IssueToken("alice-1", "alice"), RevokeToken("alice-1")});
  EXPECT_EQ(StoredToken(ledger_, "alice-1"),
            "alice-1 of alice STATUS_CLOSED hash=32B issued=2026-03-01@3 revoked=2026-03-01");
  EXPECT_EQ(Render(ledger_.Decide(WithId(RevokeToken("alice-1"), "again"))),
            "FAILED_PRECONDITION TOKEN_REVOKED field=body.token_revoked.token_id");
  EXPECT_EQ(DescribeEvent(RevokeToken("alice-1").body()), "token alice-1 revoked");
}

TEST_F(MembersTest, GovernanceIsForAdminsAndMoneyForTreasurers) {
  for (const v1::EventInput& in : {AddMember("x", {}), ChangeRoles("x", {}), RemoveMember("x"),
                                   IssueToken("t", "x"), RevokeToken("t")}) {
    EXPECT_EQ(KindOf(in.body())->RequiredRole(), v1::ROLE_ADMIN) << KindName(in.body());
  }
  EXPECT_EQ(KindOf(Donation(Gbp(1)).body())->RequiredRole(), v1::ROLE_TREASURER);
  EXPECT_EQ(KindOf(Reversal("x", v1::REVERSAL_KIND_REFUND).body())->RequiredRole(),
            v1::ROLE_TREASURER);
}

TEST(FounderTest, AGenesisMayCarryTheFoundingAdminAndTheirToken) {
  MemoryState state;
  RowBooks books(state);
  MemoryLedger lookup;
  v1::EventPayload p;
  p.set_event_id("genesis");
  p.set_occurred_on("2026-03-01");
  p.set_recorded_at_us(absl::ToUnixMicros(TestEpoch()));
  auto* opened = p.mutable_body()->mutable_ledger_opened();
  opened->set_ledger_id(std::string(32, 'b'));
  opened->set_name("Leeds campaign");
  opened->mutable_founder()->set_member_id("admin");
  opened->mutable_founder()->add_roles(v1::ROLE_ADMIN);
  opened->mutable_founder_token()->set_token_id("admin-1");
  opened->mutable_founder_token()->set_member_id("admin");
  opened->mutable_founder_token()->set_token_hash(BearerTokenHash("t"));
  absl::StatusOr<Effects> decided = Decide(1, p, books, lookup, EventChecks::kWhenRecorded);
  ASSERT_TRUE(decided.ok()) << decided.status();
  ASSERT_EQ(decided->member_rows.size(), 1u);
  EXPECT_EQ(decided->member_rows[0].member_id(), "admin");
  ASSERT_EQ(decided->token_rows.size(), 1u);
  EXPECT_EQ(decided->token_rows[0].member_id(), "admin");

  // A token for someone else is refused.
  opened->mutable_founder_token()->set_member_id("someone");
  EXPECT_EQ(RenderStatus(Decide(1, p, books, lookup, EventChecks::kWhenRecorded).status()),
            "INVALID_ARGUMENT INVALID_FIELD field=body.ledger_opened.founder_token.member_id");
}

}  // namespace
}  // namespace ledger::testing
