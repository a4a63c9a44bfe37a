#include "services/request_bytes.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/unknown_field_set.h"
#include "ledger/domain/ids.h"
#include "ledger/errors.h"
#include "ledger/limits.h"

namespace ledger {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

bool FindIn(const Descriptor& type, absl::string_view bytes, const std::string& prefix, int depth,
            std::string* path) {
  if (depth > kMaxRequestNestingDepth ||
      bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
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

// Depth first through the fields set in `m`: the path of the first message
// that holds fields its type does not know, and the first such number.
bool FindUnknown(const google::protobuf::Message& m, const std::string& prefix, int depth,
                 std::string* path, int* number) {
  const google::protobuf::Reflection* r = m.GetReflection();
  const UnknownFieldSet& unknown = r->GetUnknownFields(m);
  if (!unknown.empty()) {
    *path = prefix;
    *number = unknown.field(0).number();
    return true;
  }
  if (depth > kMaxRequestNestingDepth) return false;
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* fd : fields) {
    if (fd->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string name = absl::StrCat(prefix, prefix.empty() ? "" : ".", fd->name());
    if (fd->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, fd); ++i) {
        if (FindUnknown(r->GetRepeatedMessage(m, fd, i), absl::StrCat(name, "[", i, "]"), depth + 1,
                        path, number)) {
          return true;
        }
      }
    } else if (FindUnknown(r->GetMessage(m, fd), name, depth + 1, path, number)) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::Status RefuseUnknownFields(const google::protobuf::Message& message) {
  std::string path;
  int number = 0;
  if (!FindUnknown(message, "", 0, &path, &number)) return absl::OkStatus();
  return Refusal(
      absl::StatusCode::kInvalidArgument, kReasonUnknownField,
      absl::StrCat(path.empty() ? "the request" : path, ": has field number ", number, ", which ",
                   path.empty() ? message.GetDescriptor()->full_name() : "this message",
                   " does not define (a newer client, or a forged request); "
                   "nothing was recorded"),
      path);
}

std::string FindNonUtf8Field(const Descriptor& type, absl::string_view bytes) {
  std::string path;
  FindIn(type, bytes, "", 0, &path);
  return path;
}

absl::Status ParseRequestBytes(absl::string_view bytes, google::protobuf::Message* message) {
  if (bytes.size() <= static_cast<size_t>(std::numeric_limits<int>::max()) &&
      message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    // Unknown fields would be stored and hashed with the event, get past
    // every check of text and size, and travel to every reader.
    return RefuseUnknownFields(*message);
  }
  const std::string field = FindNonUtf8Field(*message->GetDescriptor(), bytes);
  if (!field.empty()) return InvalidField(field, "is not valid UTF-8 text");
  return Refusal(
      absl::StatusCode::kInvalidArgument, kReasonMalformedRequest,
      absl::StrCat("the request is not a well-formed ", message->GetDescriptor()->full_name(),
                   " (its bytes do not parse as that protobuf message)"));
}

}  // namespace ledger
