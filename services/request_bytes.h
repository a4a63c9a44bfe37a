// Parsing a request from the bytes a client sent.
//
// protobuf refuses a whole message when any proto3 `string` field holds bytes
// that are not UTF-8, and says only "parse failed". ParseRequestBytes turns
// that into the ledger's usual refusal: INVALID_ARGUMENT naming the field
// path ("events[0].body.donation_received.donor_ref: is not valid UTF-8
// text", ErrorDetail.field set), or, for bytes that are no such message at
// all, INVALID_ARGUMENT with reason MALFORMED_REQUEST. The services parse
// every request through it (they are served on gRPC's raw API for that).
#ifndef SERVICES_REQUEST_BYTES_H_
#define SERVICES_REQUEST_BYTES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ledger {

// Parses `bytes` into `*message` (cleared first). OK, or INVALID_ARGUMENT as
// above; `*message` is unspecified after a failure. A message that parses
// but carries fields its schema does not define (anywhere, at any depth) is
// refused too: INVALID_ARGUMENT, reason UNKNOWN_FIELD, naming the path of
// the message that holds them.
absl::Status ParseRequestBytes(absl::string_view bytes, google::protobuf::Message* message);

// OK, or the UNKNOWN_FIELD refusal above for a parsed `message`.
absl::Status RefuseUnknownFields(const google::protobuf::Message& message);

// The path of the first proto3 string field in `bytes` (wire order, depth
// first) whose value is not UTF-8, e.g. "events[1].memo"; "" when there is
// none or the bytes do not parse far enough to tell.
std::string FindNonUtf8Field(const google::protobuf::Descriptor& type, absl::string_view bytes);

}  // namespace ledger

#endif  // SERVICES_REQUEST_BYTES_H_
