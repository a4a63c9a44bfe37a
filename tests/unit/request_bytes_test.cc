// ParseRequestBytes / FindNonUtf8Field: which field of a request protobuf
// refused, found from the bytes alone.
#include "services/request_bytes.h"

#include <string>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "ledger/domain/ids.h"
#include "ledger/errors.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {
namespace {

constexpr char kMarker[] = "@@MARK@@";

v1::EventInput Donation(const std::string& id) {
  v1::EventInput in;
  in.set_event_id(id);
  in.set_occurred_on("2026-03-01");
  auto* d = in.mutable_body()->mutable_donation_received();
  d->mutable_amount()->set_currency("GBP");
  d->mutable_amount()->set_amount_minor(100);
  d->set_donor_ref("donor-1");
  return in;
}

// The request's bytes with kMarker replaced by as many bytes of `bad`.
std::string Spoiled(const v1::AppendRequest& request, char bad) {
  std::string bytes;
  EXPECT_TRUE(request.SerializeToString(&bytes));
  EXPECT_NE(bytes.find(kMarker), std::string::npos);
  return absl::StrReplaceAll(bytes, {{kMarker, std::string(sizeof(kMarker) - 1, bad)}});
}

TEST(RequestBytesTest, ParsesAValidRequest) {
  v1::AppendRequest request;
  *request.add_events() = Donation("d1");
  std::string bytes;
  ASSERT_TRUE(request.SerializeToString(&bytes));
  v1::AppendRequest parsed;
  ASSERT_TRUE(ParseRequestBytes(bytes, &parsed).ok());
  EXPECT_EQ(parsed.events(0).body().donation_received().donor_ref(), "donor-1");
  EXPECT_EQ(FindNonUtf8Field(*v1::AppendRequest::descriptor(), bytes), "");
}

TEST(RequestBytesTest, NamesTheNestedFieldAndItsIndex) {
  v1::AppendRequest request;
  *request.add_events() = Donation("d1");
  *request.add_events() = Donation("d2");
  *request.add_events() = Donation("d3");
  request.mutable_events(2)->mutable_body()->mutable_donation_received()->set_donor_ref(kMarker);
  const std::string bytes = Spoiled(request, '\xff');
  v1::AppendRequest parsed;
  absl::Status s = ParseRequestBytes(bytes, &parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "events[2].body.donation_received.donor_ref: is not valid UTF-8 text");
  auto detail = GetErrorDetail(s);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), kReasonInvalidField);
  EXPECT_EQ(detail->field(), "events[2].body.donation_received.donor_ref");
}

TEST(RequestBytesTest, NamesTheFirstBadFieldInWireOrder) {
  v1::AppendRequest request;
  *request.add_events() = Donation("d1");
  request.mutable_events(0)->set_memo(kMarker);
  *request.add_events() = Donation("d2");
  request.mutable_events(1)->set_event_id(kMarker);
  EXPECT_EQ(FindNonUtf8Field(*v1::AppendRequest::descriptor(), Spoiled(request, '\xc3')),
            "events[0].memo");
}

TEST(RequestBytesTest, OverlongAndSurrogateFormsAreNotUtf8) {
  // protobuf refuses these too; the finder must agree with it or it would
  // name no field (or the wrong one).
  for (const std::string& bad : {std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                                 std::string("\xf4\x90\x80\x80"), std::string("\xe2\x82")}) {
    EXPECT_FALSE(IsValidUtf8(bad));
    v1::GetBeneficiaryRequest request;
    request.set_beneficiary_id(bad);
    std::string bytes;
    request.SerializePartialToString(&bytes);
    v1::GetBeneficiaryRequest parsed;
    EXPECT_FALSE(parsed.ParseFromString(bytes));
    EXPECT_EQ(ParseRequestBytes(bytes, &parsed).message(),
              "beneficiary_id: is not valid UTF-8 text");
  }
  // Control characters are UTF-8 (refused later by the rules, not here).
  EXPECT_TRUE(
      IsValidUtf8(std::string("a\x01"
                              "b",
                              3)));
  EXPECT_FALSE(
      IsValidText(std::string("a\x01"
                              "b",
                              3)));
  EXPECT_TRUE(IsValidUtf8("Łódź €"));
}

TEST(RequestBytesTest, GarbageIsMalformedWithNoField) {
  v1::AppendRequest parsed;
  absl::Status s = ParseRequestBytes(std::string("\xff\xff\xff\xff\x0f", 5), &parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "the request is not a well-formed solidarity.ledger.v1.AppendRequest (its bytes do "
            "not parse as that protobuf message)");
  auto detail = GetErrorDetail(s);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), kReasonMalformedRequest);
  EXPECT_EQ(detail->field(), "");
  // A truncated message: the length prefix promises more than there is.
  EXPECT_EQ(ParseRequestBytes(std::string("\x0a\x10"
                                          "ab",
                                          4),
                              &parsed)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ledger
