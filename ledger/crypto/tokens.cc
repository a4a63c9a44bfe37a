#include "ledger/crypto/tokens.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ledger/crypto/keyring.h"
#include "ledger/errors.h"
#include "ledger/hash.h"

namespace ledger {
namespace {

absl::Status TokenFileProblem(const std::string& path, absl::string_view problem) {
  return Refusal(absl::StatusCode::kFailedPrecondition, kReasonTokenFile,
                 absl::StrCat("token file ", path, ": ", problem));
}

}  // namespace

std::string NewBearerToken() { return RandomBytes(kBearerTokenSize); }

std::string BearerTokenHash(absl::string_view token) { return Sha256(token); }

std::optional<std::string> ParseBearerToken(absl::string_view hex) {
  if (hex.size() != 2 * kBearerTokenSize) return std::nullopt;
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return absl::HexStringToBytes(hex);
}

bool SameTokenHash(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status WriteNewTokenFile(const std::string& path, absl::string_view token) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return TokenFileProblem(path, absl::StrCat("cannot be created (", std::strerror(errno),
                                               "); a new token is never written over a file"));
  }
  const std::string text = absl::StrCat(ToHex(token), "\n");
  const bool written =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) {
    unlink(path.c_str());
    return TokenFileProblem(path, "could not be written");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return TokenFileProblem(path, absl::StrCat("cannot be read (", std::strerror(errno), ")"));
  }
  if (!S_ISREG(st.st_mode)) return TokenFileProblem(path, "is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return TokenFileProblem(path, "may be read by others than its owner; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return TokenFileProblem(path, absl::StrCat("cannot be read (", std::strerror(errno), ")"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();
  absl::string_view text = absl::StripTrailingAsciiWhitespace(content);
  std::optional<std::string> token = ParseBearerToken(text);
  if (!token) return TokenFileProblem(path, "does not hold a token (64 hex characters)");
  return *std::move(token);
}

}  // namespace ledger
