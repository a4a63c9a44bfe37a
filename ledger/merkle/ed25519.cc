#include "ledger/merkle/ed25519.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/check.h"

namespace ledger::merkle {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// A passphrase callback that supplies none: an encrypted PEM fails to load
// instead of prompting on the terminal (OpenSSL's default).
int NoPassphrase(char*, int, int, void*) { return 0; }

std::string RawPublicKey(EVP_PKEY* key) {
  std::string out(kEd25519PublicKeyBytes, '\0');
  size_t len = out.size();
  LEDGER_CHECK(
      EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &len) == 1 &&
      len == kEd25519PublicKeyBytes);
  return out;
}

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void Ed25519PrivateKey::Free::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

Ed25519PrivateKey::Ed25519PrivateKey(EVP_PKEY* key)
    : key_(key, Free()), public_key_(RawPublicKey(key)) {}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return absl::InternalError("OpenSSL could not generate an Ed25519 key");
  return Ed25519PrivateKey(key);
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromPem(absl::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  LEDGER_CHECK(bio != nullptr);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        "holds no unencrypted private key in PEM form (-----BEGIN PRIVATE KEY-----)");
  }
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("holds a private key that is not an Ed25519 key");
  }
  return Ed25519PrivateKey(key);
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(absl::string_view seed) {
  if (seed.size() != 32) return absl::InvalidArgumentError("an Ed25519 seed is 32 bytes");
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (key == nullptr) return absl::InvalidArgumentError("OpenSSL refused the Ed25519 seed");
  return Ed25519PrivateKey(key);
}

std::string Ed25519PrivateKey::Sign(absl::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  LEDGER_CHECK(ctx != nullptr);
  LEDGER_CHECK(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1);
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t len = sig.size();
  LEDGER_CHECK(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                              reinterpret_cast<const unsigned char*>(message.data()),
                              message.size()) == 1 &&
               len == kEd25519SignatureBytes);
  return sig;
}

std::string Ed25519PrivateKey::ToPem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  LEDGER_CHECK(bio != nullptr);
  LEDGER_CHECK(
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

bool Ed25519Verify(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes || signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
      public_key.size()));
  if (key == nullptr) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  LEDGER_CHECK(ctx != nullptr);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

absl::StatusOr<Ed25519PrivateKey> LoadPrivateKeyFile(const std::string& path,
                                                     absl::string_view what) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat(
          what, " file ", path, " does not exist (make one with: ledgerctl key generate --output ",
          path, ")"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(what, " file ", path, " cannot be opened: ", std::strerror(err)));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(what, " file ", path, " is not a file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s file %s may be read or written by others (mode %04o); only its owner may: chmod 600 "
        "%s",
        std::string(what), path, st.st_mode & 07777, path));
  }
  if (static_cast<size_t>(st.st_size) > kMaxKeyFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " file ", path, " is ", st.st_size, " bytes: not a key file"));
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::FailedPreconditionError(absl::StrCat(what, " file ", path, " cannot be read"));
    }
    got += static_cast<size_t>(n);
  }
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromPem(text);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " file ", path, " ", key.status().message()));
  }
  return key;
}

absl::Status WritePrivateKeyFile(const std::string& path, const Ed25519PrivateKey& key) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat(path, " already exists; a key file is never overwritten"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(err)));
  }
  // The mode asked of open() is masked by the umask; make it exactly 0600.
  if (fchmod(fd.get(), 0600) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot set the mode of ", path));
  }
  const std::string pem = key.ToPem();
  size_t done = 0;
  while (done < pem.size()) {
    const ssize_t n = write(fd.get(), pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      unlink(path.c_str());
      return absl::UnavailableError(
          absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) {
    unlink(path.c_str());
    return absl::UnavailableError(absl::StrCat("cannot sync ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace ledger::merkle
