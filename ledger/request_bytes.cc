#include "ledger/request_bytes.h"

#include <cstdint>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/unknown_field_set.h"
#include "ledger/errors.h"
#include "ledger/ids.h"

namespace ledger {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// Deeper than any request message nests; bounds the walk on hostile bytes.
constexpr int kMaxDepth = 32;

bool FindIn(const Descriptor& type, absl::string_view bytes, const std::string& prefix, int depth,
            std::string* path) {
  if (depth > kMaxDepth || bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return false;
  }
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  absl::flat_hash_map<int, int> seen;  // field number -> occurrences so far
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    const int index = seen[f.number()]++;
    if (f.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    const FieldDescriptor* fd = type.FindFieldByNumber(f.number());
    if (fd == nullptr) continue;  // unknown to this schema: protobuf keeps it as is
    std::string name = absl::StrCat(prefix, prefix.empty() ? "" : ".", fd->name());
    if (fd->is_repeated()) absl::StrAppend(&name, "[", index, "]");
    const std::string& value = f.length_delimited();
    if (fd->type() == FieldDescriptor::TYPE_STRING &&
        fd->file()->syntax() == FileDescriptor::SYNTAX_PROTO3 && !IsValidUtf8(value)) {
      *path = std::move(name);
      return true;
    }
    if (fd->type() == FieldDescriptor::TYPE_MESSAGE &&
        FindIn(*fd->message_type(), value, name, depth + 1, path)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string FindNonUtf8Field(const Descriptor& type, absl::string_view bytes) {
  std::string path;
  FindIn(type, bytes, "", 0, &path);
  return path;
}

absl::Status ParseRequestBytes(absl::string_view bytes, google::protobuf::Message* message) {
  if (bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max()) &&
      message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::OkStatus();
  }
  const std::string field = FindNonUtf8Field(*message->GetDescriptor(), bytes);
  if (!field.empty()) return InvalidField(field, "is not valid UTF-8 text");
  return Refusal(absl::StatusCode::kInvalidArgument, kReasonMalformedRequest,
                 absl::StrCat("the request is not a well-formed ",
                              message->GetDescriptor()->full_name(),
                              " (its bytes do not parse as that protobuf message)"));
}

}  // namespace ledger
