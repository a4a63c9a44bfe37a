// The private store's side of recording events: each new event's private
// details sealed (ledger/crypto/private_parts.h) and the data keys of
// erased details deleted, staged per request so that a refused request
// leaves nothing behind, then moved into the group commit's WriteBatch.
#ifndef LEDGER_WRITER_PRIVATE_WRITES_H_
#define LEDGER_WRITER_PRIVATE_WRITES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/crypto/keyring.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/privacy.h"
#include "ledger/writer/batch.h"

namespace ledger {

// Party ids keyed by the ledger's MAC key.
class KeyringPartyIds : public PartyIds {
 public:
  explicit KeyringPartyIds(const Keyring& keyring) : keyring_(keyring) {}
  std::string IdOf(absl::string_view ref) const override;

 private:
  const Keyring& keyring_;
};

class PrivateWrites {
 public:
  PrivateWrites(const Keyring& keyring, std::string ledger_id, CommitBatch& batch)
      : keyring_(keyring), ledger_id_(std::move(ledger_id)), batch_(batch), ids_(keyring) {}

  const PartyIds& party_ids() const { return ids_; }

  // Seals `details` of the event at `position`, under the data key of the
  // party `party_ref` names (created on first use), or under the ledger's
  // wrap key when `party_ref` is empty. Returns the salted commitment the
  // stored record holds in their place.
  absl::StatusOr<std::string> Seal(uint64_t position, const v1::EventPayload& details,
                                   absl::string_view party_ref);

  // Destroys the data keys `effects` erase: NOT_FOUND (UNKNOWN_PARTY) for a
  // party with no key, FAILED_PRECONDITION (ALREADY_ERASED) for details
  // already gone.
  absl::Status Erase(const Effects& effects);

  // Moves what was staged into the batch (the request was accepted).
  void Commit();

 private:
  // The unwrapped key of a party: staged, in the batch or in the database.
  absl::StatusOr<std::optional<std::string>> PartyKey(const std::string& party_id);
  absl::StatusOr<std::optional<std::string>> Row(absl::string_view cf, const std::string& key);

  const Keyring& keyring_;
  const std::string ledger_id_;
  CommitBatch& batch_;
  KeyringPartyIds ids_;
  // Staged rows by (column family, key); nullopt deletes.
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> staged_;
  std::map<std::string, std::string> new_party_keys_;  // party id -> key
};

}  // namespace ledger

#endif  // LEDGER_WRITER_PRIVATE_WRITES_H_
