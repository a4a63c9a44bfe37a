// Goal: our signed notes, checkpoints, cosignatures, verifier keys and key
// files are the C2SP formats, byte for byte:
//   * the Go sumdb/note known answer (PeterNeumann's key, text and
//     signature) comes out exactly, so any C2SP verifier accepts our notes;
//   * published verifier keys of both signature types parse, with their ids
//     checked; malformed notes, keys and checkpoints are refused saying why;
//   * a cosignature/v1 signs "cosignature/v1\ntime T\n" + the checkpoint
//     text and carries T, and stops verifying when anything changes;
//   * key files: written 0600 and never over a file; refused when missing,
//     readable by others, or not an Ed25519 key.
#include "ledger/merkle/note.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/hash.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/merkle/rfc6962.h"
#include "tests/testing/test_util.h"

namespace ledger::merkle {
namespace {

using ::ledger::testing::StatusIs;

constexpr char kPeterVkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
// base64(0x01 || seed) of golang.org/x/mod/sumdb/note's example signer key.
constexpr char kPeterSeed[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr char kPeterText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kPeterSignatureLine[] =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

Ed25519PrivateKey PeterKey() {
  std::string seed;
  EXPECT_TRUE(absl::Base64Unescape(kPeterSeed, &seed));
  auto key = Ed25519PrivateKey::FromSeed(seed.substr(1));
  EXPECT_TRUE(key.ok());
  return *key;
}

TEST(NoteTest, TheGoSumdbKnownAnswerComesOutByteForByte) {
  const Ed25519PrivateKey key = PeterKey();
  VerifierKey vkey{"PeterNeumann", kTypeEd25519, key.public_key()};
  EXPECT_EQ(vkey.ToString(), kPeterVkey);
  EXPECT_EQ(KeyId("PeterNeumann", kTypeEd25519, key.public_key()), 0xc74f20a3u);

  SignedNote note{kPeterText, {SignNote(kPeterText, "PeterNeumann", key)}};
  EXPECT_EQ(note.Format(), absl::StrCat(kPeterText, "\n", kPeterSignatureLine));

  auto parsed = ParseNote(absl::StrCat(kPeterText, "\n", kPeterSignatureLine));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto pinned = ParseVerifierKey(kPeterVkey);
  ASSERT_TRUE(pinned.ok()) << pinned.status();
  EXPECT_TRUE(VerifyNoteSignature(*parsed, *pinned).ok());

  SignedNote changed = *parsed;
  changed.text[3] = 'Y';
  EXPECT_THAT(VerifyNoteSignature(changed, *pinned), StatusIs(absl::StatusCode::kInvalidArgument));
  // Another key (same name, other id) signed nothing here.
  auto other = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_THAT(VerifyNoteSignature(*parsed, {"PeterNeumann", kTypeEd25519, other->public_key()}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(NoteTest, PublishedVerifierKeysOfBothTypesParse) {
  // A cosignature/v1 (0x04) key, and a 0x01 key whose base64 holds a "+"
  // (transparency-dev/formats, note_cosigv1_test.go).
  for (const char* text : {"remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
                           "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"}) {
    auto key = ParseVerifierKey(text);
    ASSERT_TRUE(key.ok()) << text << ": " << key.status();
    EXPECT_EQ(key->ToString(), text);
  }
  EXPECT_EQ(ParseVerifierKey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
                ->type,
            kTypeCosignatureV1);
  for (const char* bad : {
           "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   // wrong id
           "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",    // bad base64
           "PeterNeumann+c74f20a3",                                                // two parts
           "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // space
           "rekor.sigstore.dev+12345678+AwEB",                                     // unknown type
           "x+zzzzzzzz+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",              // id not hex
       }) {
    EXPECT_THAT(ParseVerifierKey(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(NoteTest, MalformedNotesAreRefused) {
  const std::string sig = kPeterSignatureLine;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no blank line", absl::StrCat(kPeterText, sig)},
      {"no signature", absl::StrCat(kPeterText, "\n")},
      {"control character", absl::StrCat("a\tb\n\n", sig)},
      {"carriage return", absl::StrCat("a\r\n\n", sig)},
      {"not UTF-8", absl::StrCat("a\xff\n\n", sig)},
      {"line without a dash", absl::StrCat(kPeterText, "\n- PeterNeumann AAAAAAA=\n")},
      {"signature not base64", absl::StrCat(kPeterText, "\n\xE2\x80\x94 PeterNeumann !!!\n")},
      {"signature too short", absl::StrCat(kPeterText, "\n\xE2\x80\x94 PeterNeumann AAAA\n")},
      {"no final newline", absl::StrCat(kPeterText, "\n", sig.substr(0, sig.size() - 1))},
      {"name with a plus", absl::StrCat(kPeterText, "\n\xE2\x80\x94 a+b AAAAAAA=\n")},
      {"too long", std::string(kMaxNoteBytes, 'a') + "\n\n" + sig},
  };
  for (const auto& [what, note] : bad) {
    EXPECT_THAT(ParseNote(note), StatusIs(absl::StatusCode::kInvalidArgument)) << what;
  }
  std::string many = absl::StrCat(kPeterText, "\n");
  for (size_t i = 0; i <= kMaxNoteSignatures; ++i) many += sig;
  EXPECT_THAT(ParseNote(many), StatusIs(absl::StatusCode::kInvalidArgument));
  // The text may hold blank lines: the last one separates the signatures.
  auto blank = ParseNote(absl::StrCat("a\n\nb\n\n", sig));
  ASSERT_TRUE(blank.ok()) << blank.status();
  EXPECT_EQ(blank->text, "a\n\nb\n");
}

TEST(NoteTest, CheckpointTextRoundTripsAndIsStrict) {
  Checkpoint c{"solidarity-ledger/0123abcd", 20852163, ledger::Sha256("root")};
  const std::string text = c.Text();
  EXPECT_EQ(text, absl::StrCat("solidarity-ledger/0123abcd\n20852163\n",
                               absl::Base64Escape(ledger::Sha256("root")), "\n"));
  auto back = ParseCheckpointText(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->origin, c.origin);
  EXPECT_EQ(back->size, c.size);
  EXPECT_EQ(back->root, c.root);
  const std::string root = absl::Base64Escape(ledger::Sha256("root"));
  for (const std::string& bad : {
           absl::StrCat("o\n012\n", root, "\n"),                   // leading zero
           absl::StrCat("o\n-1\n", root, "\n"),                    // sign
           absl::StrCat("o\n1x\n", root, "\n"),                    // letters
           absl::StrCat("o\n99999999999999999999\n", root, "\n"),  // over 2^64
           absl::StrCat("\n1\n", root, "\n"),                      // empty origin
           absl::StrCat("o\n1\n", root),                           // no final newline
           std::string("o\n1\nAAAA\n"),                            // root not 32 bytes
           absl::StrCat("o\n1\n", root, "\nextension\n"),
           std::string("o\n1\n"),
       }) {
    EXPECT_THAT(ParseCheckpointText(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_TRUE(
      ParseCheckpointText(absl::StrCat("o\n0\n", absl::Base64Escape(EmptyRoot()), "\n")).ok());
}

TEST(NoteTest, CosignatureV1SignsTheTimeAndTheCheckpoint) {
  auto witness = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(witness.ok());
  const std::string text = Checkpoint{"example.com/log", 7, ledger::Sha256("seven")}.Text();
  const uint64_t t = 1679315147;
  EXPECT_EQ(CosignatureMessage(t, text), absl::StrCat("cosignature/v1\ntime 1679315147\n", text));
  const NoteSignature sig = Cosign(text, t, "witness.example/w1", *witness);
  const VerifierKey vkey{"witness.example/w1", kTypeCosignatureV1, witness->public_key()};
  EXPECT_EQ(sig.key_id, vkey.id());
  EXPECT_NE(sig.key_id, KeyId("witness.example/w1", kTypeEd25519, witness->public_key()));
  // The signature is the timestamp then the Ed25519 signature of the message.
  ASSERT_EQ(sig.signature.size(), 72u);
  EXPECT_TRUE(
      Ed25519Verify(witness->public_key(), CosignatureMessage(t, text), sig.signature.substr(8)));
  auto got = VerifyCosignature(text, sig, vkey);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, t);
  // Through a note line and back.
  auto note = ParseNote(absl::StrCat(text, "\n", sig.Line()));
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_TRUE(VerifyCosignature(note->text, note->signatures[0], vkey).ok());

  const std::string other_text = Checkpoint{"example.com/log", 8, ledger::Sha256("seven")}.Text();
  EXPECT_THAT(VerifyCosignature(other_text, sig, vkey),
              StatusIs(absl::StatusCode::kInvalidArgument));
  NoteSignature later = sig;
  later.signature[7] ^= 1;  // another time
  EXPECT_THAT(VerifyCosignature(text, later, vkey), StatusIs(absl::StatusCode::kInvalidArgument));
  auto stranger = Ed25519PrivateKey::Generate();
  EXPECT_THAT(VerifyCosignature(text, sig,
                                {"witness.example/w1", kTypeCosignatureV1, stranger->public_key()}),
              StatusIs(absl::StatusCode::kNotFound));
  // A log signature key is not a cosignature key.
  EXPECT_THAT(
      VerifyCosignature(text, sig, {"witness.example/w1", kTypeEd25519, witness->public_key()}),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(NoteTest, KeyNamesFollowTheSignedNoteRules) {
  EXPECT_TRUE(IsValidKeyName("solidarity-ledger/0123"));
  EXPECT_TRUE(
      IsValidKeyName("b\xC3\xBC"
                     "cher.example"));  // UTF-8 letters
  for (const std::string& bad :
       {std::string(""), std::string("a b"), std::string("a+b"),
        std::string("a\xC2\xA0"
                    "b"),  // no-break space
        std::string("a\xE3\x80\x80"
                    "b"),  // ideographic space
        std::string("a\nb"), std::string("\xff"), std::string(kMaxKeyNameBytes + 1, 'a')}) {
    EXPECT_FALSE(IsValidKeyName(bad)) << bad;
  }
}

TEST(KeyFileTest, WrittenPrivateAndLoadedBack) {
  testing::TempDir dir;
  const std::string path = dir.Sub("ledger.key");
  auto key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(WritePrivateKeyFile(path, *key).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = LoadPrivateKeyFile(path, "checkpoint key");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->public_key(), key->public_key());
  EXPECT_EQ(back->Sign("x"), key->Sign("x"));
  // Never over an existing file.
  EXPECT_THAT(WritePrivateKeyFile(path, *key), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(KeyFileTest, RefusedWhenMissingReadableByOthersOrMalformed) {
  testing::TempDir dir;
  auto missing = LoadPrivateKeyFile(dir.Sub("none.key"), "checkpoint key");
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "does not exist"));

  const std::string path = dir.Sub("open.key");
  auto key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(WritePrivateKeyFile(path, *key).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0606}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    auto open = LoadPrivateKeyFile(path, "checkpoint key");
    EXPECT_THAT(open, StatusIs(absl::StatusCode::kFailedPrecondition)) << std::oct << mode;
    EXPECT_TRUE(absl::StrContains(open.status().message(), "chmod 600")) << open.status();
  }
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(LoadPrivateKeyFile(path, "checkpoint key").ok());

  auto write = [&](const std::string& name, const std::string& text) {
    const std::string p = dir.Sub(name);
    std::ofstream(p) << text;
    chmod(p.c_str(), 0600);
    return p;
  };
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"empty.key", ""},
           {"garbage.key", "not a key\n"},
           {"public.key", absl::StrCat(kPeterVkey, "\n")},
       }) {
    auto bad = LoadPrivateKeyFile(write(name, text), "checkpoint key");
    EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument)) << name;
    EXPECT_TRUE(absl::StrContains(bad.status().message(), "checkpoint key file")) << bad.status();
  }
  // A PEM private key of another algorithm.
  const std::string ec =
      "-----BEGIN PRIVATE KEY-----\n"
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgevZzL1gdAFr88hb2\n"
      "OF/2NxApJCzGCEDdfSp6VQO30hyhRANCAAQRWz+jn65BtOMvdyHKcvjBeBSDZH2r\n"
      "1RTwjmYSi9R/zpBnuQ4EiMnCqfMPWiZqB4QdbAd0E7oH50VpuZ1P087G\n"
      "-----END PRIVATE KEY-----\n";
  auto not_ed = LoadPrivateKeyFile(write("ec.key", ec), "checkpoint key");
  EXPECT_THAT(not_ed, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(absl::StrContains(not_ed.status().message(), "not an Ed25519")) << not_ed.status();
}

}  // namespace
}  // namespace ledger::merkle
