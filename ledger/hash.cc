#include "ledger/hash.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "ledger/check.h"

namespace ledger {

const std::string& ZeroHash() {
  static const std::string* zero = new std::string(kHashSize, '\0');
  return *zero;
}

std::string EncodeBigEndian64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(absl::string_view bytes) {
  LEDGER_CHECK(bytes.size() >= 8);
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string ChainHash(absl::string_view ledger_id, uint64_t position, absl::string_view prev_hash,
                      absl::string_view payload) {
  SHA256_CTX ctx;
  // The low-level SHA256 API is deprecated in OpenSSL 3 but is the fastest
  // path for many tiny inputs; EVP would allocate a context per call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, ledger_id.data(), ledger_id.size());
  const std::string pos = EncodeBigEndian64(position);
  SHA256_Update(&ctx, pos.data(), pos.size());
  SHA256_Update(&ctx, prev_hash.data(), prev_hash.size());
  SHA256_Update(&ctx, payload.data(), payload.size());
  std::string out(kHashSize, '\0');
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
#pragma GCC diagnostic pop
  return out;
}

std::string Sha256(absl::string_view bytes) {
  std::string out(kHashSize, '\0');
  unsigned int len = 0;
  LEDGER_CHECK(EVP_Digest(bytes.data(), bytes.size(), reinterpret_cast<unsigned char*>(out.data()),
                          &len, EVP_sha256(), nullptr) == 1);
  return out;
}

std::string ToHex(absl::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out.push_back(kDigits[(static_cast<uint8_t>(c) >> 4) & 0xf]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 0xf]);
  }
  return out;
}

}  // namespace ledger
