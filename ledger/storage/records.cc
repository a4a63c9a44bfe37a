#include "ledger/storage/records.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/hash.h"

namespace ledger {

std::string EncodeEventRecord(absl::string_view prev_hash, absl::string_view hash,
                              absl::string_view payload) {
  LEDGER_CHECK(prev_hash.size() == kHashSize && hash.size() == kHashSize);
  std::string out;
  out.reserve(kEventRecordHeaderSize + payload.size());
  out.push_back(static_cast<char>(kEventRecordVersion));
  out.append(prev_hash.data(), prev_hash.size());
  out.append(hash.data(), hash.size());
  out.append(payload.data(), payload.size());
  return out;
}

absl::StatusOr<EventRecord> DecodeEventRecord(absl::string_view value) {
  if (value.size() < kEventRecordHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("event record is ", value.size(), " bytes, shorter than its 65-byte header"));
  }
  if (static_cast<uint8_t>(value[0]) != kEventRecordVersion) {
    return absl::DataLossError(absl::StrCat("event record has unknown format version ",
                                            static_cast<int>(static_cast<uint8_t>(value[0]))));
  }
  EventRecord r;
  r.prev_hash = std::string(value.substr(1, kHashSize));
  r.hash = std::string(value.substr(1 + kHashSize, kHashSize));
  r.payload = std::string(value.substr(kEventRecordHeaderSize));
  return r;
}

std::string EventKey(uint64_t position) {
  LEDGER_CHECK(position >= 1);
  return EncodeBigEndian64(position);
}

absl::StatusOr<uint64_t> DecodeEventKey(absl::string_view key) {
  if (key.size() != 8) {
    return absl::DataLossError(absl::StrCat("event key is ", key.size(), " bytes, not 8"));
  }
  const uint64_t position = DecodeBigEndian64(key);
  // Positions start at 1 (the genesis).
  if (position == 0) return absl::DataLossError("event key names position 0");
  return position;
}

std::string EncodeIdEntry(uint64_t position, absl::string_view digest) {
  LEDGER_CHECK(position >= 1 && digest.size() == kHashSize);
  return absl::StrCat(EncodeBigEndian64(position), digest);
}

absl::StatusOr<IdEntry> DecodeIdEntry(absl::string_view value) {
  if (value.size() != 8 + kHashSize) {
    return absl::DataLossError(absl::StrCat("id entry is ", value.size(), " bytes, not 40"));
  }
  const uint64_t position = DecodeBigEndian64(value);
  if (position == 0) return absl::DataLossError("id entry names position 0");
  return IdEntry{position, std::string(value.substr(8))};
}

std::string EncodeHead(uint64_t position, absl::string_view hash) {
  LEDGER_CHECK(position >= 1 && hash.size() == kHashSize);
  return absl::StrCat(EncodeBigEndian64(position), hash);
}

absl::StatusOr<HeadEntry> DecodeHead(absl::string_view value) {
  if (value.size() != 8 + kHashSize) {
    return absl::DataLossError(absl::StrCat("head entry is ", value.size(), " bytes, not 40"));
  }
  const uint64_t position = DecodeBigEndian64(value);
  if (position == 0) return absl::DataLossError("head entry names position 0");
  return HeadEntry{position, std::string(value.substr(8))};
}

}  // namespace ledger
