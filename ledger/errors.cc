#include "ledger/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace ledger {

absl::Status WithDetail(absl::StatusCode code, absl::string_view message,
                        const v1::ErrorDetail& detail) {
  absl::Status status(code, message);
  status.SetPayload(kErrorDetailTypeUrl, absl::Cord(detail.SerializeAsString()));
  return status;
}

absl::Status InvalidField(absl::string_view field, absl::string_view problem) {
  v1::ErrorDetail detail;
  detail.set_reason(kReasonInvalidField);
  detail.set_field(std::string(field));
  return WithDetail(absl::StatusCode::kInvalidArgument, absl::StrCat(field, ": ", problem), detail);
}

absl::Status Refusal(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                     absl::string_view field) {
  v1::ErrorDetail detail;
  detail.set_reason(std::string(reason));
  detail.set_field(std::string(field));
  return WithDetail(code, message, detail);
}

std::optional<v1::ErrorDetail> GetErrorDetail(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorDetailTypeUrl);
  if (!payload) return std::nullopt;
  v1::ErrorDetail detail;
  if (!detail.ParseFromString(std::string(*payload))) return std::nullopt;
  return detail;
}

absl::Status AtEventIndex(absl::Status status, uint32_t index) {
  if (status.ok()) return status;
  v1::ErrorDetail detail = GetErrorDetail(status).value_or(v1::ErrorDetail());
  detail.set_event_index(index);
  std::string prefix = absl::StrCat("events[", index, "]");
  std::string message(status.message());
  if (!detail.field().empty()) {
    detail.set_field(absl::StrCat(prefix, ".", detail.field()));
    message = absl::StrCat(prefix, ".", message);
  } else {
    message = absl::StrCat(prefix, ": ", message);
  }
  return WithDetail(status.code(), message, detail);
}

}  // namespace ledger
