#include "ledger/crypto/keyring.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/hash.h"

namespace ledger {
namespace {

absl::Status KeyFileProblem(const std::string& path, absl::string_view problem) {
  return Refusal(absl::StatusCode::kFailedPrecondition, kReasonKeyFile,
                 absl::StrCat("private key file ", path, ": ", problem));
}

// HKDF-SHA256(ikm, salt = "solidarity-ledger", info = label): 32 bytes.
std::string Derive(absl::string_view ikm, absl::string_view label) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  LEDGER_CHECK(kdf != nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  LEDGER_CHECK(ctx != nullptr);
  static const char kSalt[] = "solidarity-ledger";
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size()),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_SALT, const_cast<char*>(kSalt), sizeof(kSalt) - 1),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_INFO, const_cast<char*>(label.data()), label.size()),
                         OSSL_PARAM_construct_end()};
  std::string out(kDataKeySize, '\0');
  LEDGER_CHECK(
      EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params) == 1);
  EVP_KDF_CTX_free(ctx);
  return out;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* U(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  LEDGER_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) == 1);
  return out;
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return KeyFileProblem(path, absl::StrCat("cannot be read (", std::strerror(errno), ")"));
  }
  if (!S_ISREG(st.st_mode)) return KeyFileProblem(path, "is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return KeyFileProblem(path, "may be read by others than its owner; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return KeyFileProblem(path, absl::StrCat("cannot be read (", std::strerror(errno), ")"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();
  absl::string_view text = content;
  absl::ConsumeSuffix(&text, "\n");
  std::string key = absl::HexStringToBytes(text);
  if (text.size() != 2 * kDataKeySize || ToHex(key) != absl::AsciiStrToLower(text)) {
    return KeyFileProblem(path, "does not hold a key (64 hex characters)");
  }
  return key;
}

absl::Status CreateKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return KeyFileProblem(path, absl::StrCat("cannot be created (", std::strerror(errno), ")"));
  }
  const std::string text = absl::StrCat(ToHex(RandomBytes(kDataKeySize)), "\n");
  const bool written =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) return KeyFileProblem(path, "could not be written");
  return absl::OkStatus();
}

std::string Seal(absl::string_view key, absl::string_view plaintext, absl::string_view aad) {
  LEDGER_CHECK(key.size() == kDataKeySize);
  const std::string nonce = RandomBytes(kGcmNonceSize);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  LEDGER_CHECK(ctx != nullptr);
  LEDGER_CHECK(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) == 1);
  int len = 0;
  if (!aad.empty()) {
    LEDGER_CHECK(
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1);
  }
  std::string out = nonce;
  out.resize(kGcmNonceSize + plaintext.size() + kGcmTagSize);
  auto* body = reinterpret_cast<unsigned char*>(out.data()) + kGcmNonceSize;
  LEDGER_CHECK(EVP_EncryptUpdate(ctx.get(), body, &len, U(plaintext),
                                 static_cast<int>(plaintext.size())) == 1);
  int tail = 0;
  LEDGER_CHECK(EVP_EncryptFinal_ex(ctx.get(), body + len, &tail) == 1);
  LEDGER_CHECK(static_cast<size_t>(len + tail) == plaintext.size());
  LEDGER_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize,
                                   body + plaintext.size()) == 1);
  return out;
}

absl::StatusOr<std::string> Unseal(absl::string_view key, absl::string_view sealed,
                                   absl::string_view aad) {
  LEDGER_CHECK(key.size() == kDataKeySize);
  if (sealed.size() < kGcmNonceSize + kGcmTagSize) {
    return absl::DataLossError("a sealed private part is too short");
  }
  const absl::string_view nonce = sealed.substr(0, kGcmNonceSize);
  const absl::string_view body =
      sealed.substr(kGcmNonceSize, sealed.size() - kGcmNonceSize - kGcmTagSize);
  std::string tag(sealed.substr(sealed.size() - kGcmTagSize));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  LEDGER_CHECK(ctx != nullptr);
  LEDGER_CHECK(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) == 1);
  int len = 0;
  if (!aad.empty()) {
    LEDGER_CHECK(
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1);
  }
  std::string out(body.size(), '\0');
  if (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, U(body),
                        static_cast<int>(body.size())) != 1) {
    return absl::DataLossError("a sealed private part cannot be decrypted");
  }
  LEDGER_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag.data()) == 1);
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &tail) !=
      1) {
    return absl::DataLossError(
        "a sealed private part does not authenticate (another key, or damaged)");
  }
  return out;
}

Keyring::Keyring(absl::string_view kek)
    : wrap_key_(Derive(kek, "solidarity-ledger/wrap/v1")),
      mac_key_(Derive(kek, "solidarity-ledger/mac/v1")),
      check_(Derive(kek, "solidarity-ledger/check/v1")) {
  LEDGER_CHECK(kek.size() == kDataKeySize);
}

std::string Keyring::Mac(absl::string_view label, absl::string_view data) const {
  const std::string message = absl::StrCat(label, absl::string_view("\0", 1), data);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  LEDGER_CHECK(mac != nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  LEDGER_CHECK(ctx != nullptr);
  LEDGER_CHECK(EVP_MAC_init(ctx, U(mac_key_), mac_key_.size(), params) == 1);
  LEDGER_CHECK(EVP_MAC_update(ctx, U(message), message.size()) == 1);
  LEDGER_CHECK(EVP_MAC_final(ctx, out, &out_len, sizeof(out)) == 1);
  EVP_MAC_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(out), out_len);
}

std::string Keyring::Wrap(absl::string_view data_key, absl::string_view aad) const {
  return Seal(wrap_key_, data_key, aad);
}

absl::StatusOr<std::string> Keyring::Unwrap(absl::string_view wrapped,
                                            absl::string_view aad) const {
  return Unseal(wrap_key_, wrapped, aad);
}

}  // namespace ledger
