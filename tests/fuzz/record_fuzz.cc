// Fuzz target: the decoders of stored records (ledger/FORMAT.md). Whatever the
// bytes, DecodeEventRecord, DecodeIdEntry, DecodeHead and DecodeEventKey never
// crash, refuse only with DATA_LOSS, and what they accept re-encodes to the
// same bytes. The payload (of a decoded record, else the bytes themselves) is
// then parsed as an EventPayload and, if it parses, walked the way readers do.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/decide.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/fees.h"
#include "ledger/domain/registry.h"
#include "ledger/hash.h"
#include "ledger/storage/records.h"
#include "solidarity/ledger/v1/events.pb.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

void CheckDataLoss(const absl::Status& s, absl::string_view what) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kDataLoss,
             absl::StrCat(what, " refused with ", s.ToString()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ledger::fuzz::QuietProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<ledger::EventRecord> record = ledger::DecodeEventRecord(in);
  if (record.ok()) {
    FUZZ_CHECK(record->prev_hash.size() == ledger::kHashSize, "prev_hash size");
    FUZZ_CHECK(record->hash.size() == ledger::kHashSize, "hash size");
    FUZZ_CHECK(ledger::EncodeEventRecord(record->prev_hash, record->hash, record->payload) == in,
               "event record does not re-encode to its bytes");
  } else {
    CheckDataLoss(record.status(), "DecodeEventRecord");
  }

  absl::StatusOr<ledger::IdEntry> id = ledger::DecodeIdEntry(in);
  if (id.ok()) {
    FUZZ_CHECK(ledger::EncodeIdEntry(id->position, id->digest) == in, "id entry re-encode");
  } else {
    CheckDataLoss(id.status(), "DecodeIdEntry");
  }

  absl::StatusOr<ledger::HeadEntry> head = ledger::DecodeHead(in);
  if (head.ok()) {
    FUZZ_CHECK(ledger::EncodeHead(head->position, head->hash) == in, "head re-encode");
  } else {
    CheckDataLoss(head.status(), "DecodeHead");
  }

  absl::StatusOr<uint64_t> key = ledger::DecodeEventKey(in);
  if (key.ok()) {
    FUZZ_CHECK(ledger::EventKey(*key) == in, "event key re-encode");
  } else {
    CheckDataLoss(key.status(), "DecodeEventKey");
  }

  const std::string payload_bytes = record.ok() ? record->payload : std::string(in);
  ledger::v1::EventPayload payload;
  if (payload.ParseFromString(payload_bytes)) {
    // What a reader does with a stored event: name its kind, find its money
    // movement, read its date, re-serialise it for the API.
    (void)ledger::KindName(payload.body());
    std::optional<ledger::Movement> movement = ledger::MovementOf(payload.body());
    if (movement) (void)ledger::PostingsOf(*movement);
    (void)ledger::ParseDate(payload.occurred_on());
    std::string again;
    FUZZ_CHECK(payload.SerializeToString(&again), "a parsed payload does not serialise");
    ledger::v1::EventPayload reparsed;
    FUZZ_CHECK(reparsed.ParseFromString(again), "a re-serialised payload does not parse");
  }
  return 0;
}
