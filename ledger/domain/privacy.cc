#include "ledger/domain/privacy.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/check.h"
#include "ledger/hash.h"
#include "solidarity/ledger/v1/options.pb.h"

namespace ledger {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

v1::Privacy PrivacyOf(const FieldDescriptor* f) { return f->options().GetExtension(v1::privacy); }

// Moves the private fields of `from` into `to` (same type) and clears them
// and the transient ones in `from`, recursing into set message fields.
// Returns whether any private field was set.
bool MoveFields(Message& from, Message& to, bool sensitive, int depth) {
  LEDGER_CHECK(depth < 8);  // the event schema nests far less
  const Reflection* r = from.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(from, &fields);
  bool moved = false;
  for (const FieldDescriptor* f : fields) {
    const v1::Privacy p = PrivacyOf(f);
    const bool is_private =
        p == v1::PRIVACY_PRIVATE || (p == v1::PRIVACY_PRIVATE_IF_SENSITIVE && sensitive);
    if (p == v1::PRIVACY_TRANSIENT) {
      r->ClearField(&from, f);
    } else if (is_private) {
      // Only singular scalar and string fields are marked private.
      LEDGER_CHECK(!f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_STRING);
      to.GetReflection()->SetString(&to, f, r->GetString(from, f));
      r->ClearField(&from, f);
      moved = true;
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_repeated()) {
      Message* sub_from = r->MutableMessage(&from, f);
      Message* sub_to = to.GetReflection()->MutableMessage(&to, f);
      if (!MoveFields(*sub_from, *sub_to, sensitive, depth + 1)) {
        to.GetReflection()->ClearField(&to, f);
      } else {
        moved = true;
      }
    }
  }
  return moved;
}

std::string Deterministic(const Message& m) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&out);
  }
  return bytes;
}

}  // namespace

SplitPayload Split(const v1::EventPayload& full, bool sensitive) {
  SplitPayload out;
  out.public_payload = full;
  v1::EventPayload details;
  if (MoveFields(out.public_payload, details, sensitive, 0)) out.details = std::move(details);
  return out;
}

v1::EventPayload Merge(const v1::EventPayload& public_payload, const v1::EventPayload& details) {
  v1::EventPayload full = public_payload;
  full.MergeFrom(details);
  return full;
}

std::string Commitment(absl::string_view salt, const v1::EventPayload& details) {
  LEDGER_CHECK(salt.size() == kCommitmentSaltSize);
  return Sha256(absl::StrCat("solidarity-ledger/private/v1", salt, Deterministic(details)));
}

}  // namespace ledger
