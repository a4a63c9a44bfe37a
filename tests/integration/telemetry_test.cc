// Goal: what ledgerd counts and logs is right, readable by Prometheus, and
// safe (services/telemetry.h, services/metrics_http.h), over real gRPC and a
// real HTTP port on loopback (port 0):
// - the exposition parses line by line as the text format 0.0.4 asks, and
//   its counters say what happened: events appended, commits, calls by
//   method and code, refusals by reason, histograms cumulative;
// - each refusal is one log line naming the method, the member (also a
//   member refused for want of a role), the code, the reason and the field,
//   never the refusal's message (which may quote what a client sent); JSON
//   lines parse as JSON;
// - the metrics port answers GET /metrics only, refuses to listen beyond
//   loopback, and a flood of idle connections or a huge header takes only
//   the metrics port, never the ledger, and leaves it answering after.
#include "services/telemetry.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/metrics_http.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Beneficiary;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::Request;
using ::ledger::testing::WithId;

// Every sample of an exposition by its series ("name{labels}"), after
// checking each line's grammar and that every sample's family was declared
// by # TYPE first. A line that does not parse fails the test.
std::map<std::string, std::string> ParseExposition(const std::string& text) {
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? ([0-9]+(\.[0-9]+)?|\+Inf)$)");
  static const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
  static const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  std::map<std::string, std::string> samples;
  std::set<std::string> typed;
  EXPECT_TRUE(absl::EndsWith(text, "\n"));
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const std::string l(line);
    std::smatch m;
    if (std::regex_match(l, m, kType)) {
      EXPECT_TRUE(typed.insert(m[1]).second) << "declared twice: " << l;
    } else if (std::regex_match(l, m, kHelp)) {
      continue;
    } else if (std::regex_match(l, m, kSample)) {
      std::string family = m[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (!typed.count(family) && absl::EndsWith(family, suffix)) {
          family = family.substr(0, family.size() - strlen(suffix));
        }
      }
      EXPECT_TRUE(typed.count(family)) << "no # TYPE before " << l;
      const size_t space = l.rfind(' ');
      EXPECT_TRUE(samples.emplace(l.substr(0, space), l.substr(space + 1)).second)
          << "twice: " << l;
    } else {
      ADD_FAILURE() << "not the text format: \"" << l << "\"";
    }
  }
  return samples;
}

uint64_t Value(const std::map<std::string, std::string>& samples, const std::string& series) {
  auto it = samples.find(series);
  if (it == samples.end()) {
    ADD_FAILURE() << "no sample " << series;
    return 0;
  }
  uint64_t v = 0;
  EXPECT_TRUE(absl::SimpleAtoi(it->second, &v)) << series << " = " << it->second;
  return v;
}

// Sends `request` to 127.0.0.1:`port` and reads the answer until the server
// closes (at most 5 s); "" if it cannot connect.
std::string Http(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

std::string Get(int port, const std::string& path) {
  return Http(port,
              absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
}

// What the telemetry wrote to its log file so far.
std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

class TelemetryTest : public ::testing::TestWithParam<LogFormat> {
 protected:
  void SetUp() override {
    log_file_ = std::tmpfile();
    ASSERT_NE(log_file_, nullptr);
    telemetry_ = std::make_unique<Telemetry>(GetParam(), log_file_);
    server_.server_options().telemetry = telemetry_.get();
    ASSERT_TRUE(server_.Start().ok());
    listener_ = server_.log().AddCommitListener(
        [t = telemetry_.get()](const CommitInfo& info) { t->OnCommit(info); });
    auto metrics = MetricsHttpServer::Start("127.0.0.1:0", [this] {
      return telemetry_->Render(
          ReadGauges(server_.log(), server_.ledger().dir().path(), /*streams=*/0));
    });
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    metrics_ = *std::move(metrics);
  }
  void TearDown() override {
    metrics_.reset();
    server_.log().RemoveCommitListener(listener_);
    server_.Stop();
    std::fclose(log_file_);
  }

  std::map<std::string, std::string> Scrape() {
    const std::string answer = Get(metrics_->port(), "/metrics");
    EXPECT_TRUE(absl::StartsWith(answer, "HTTP/1.1 200")) << answer.substr(0, 200);
    EXPECT_TRUE(absl::StrContains(answer, "text/plain; version=0.0.4"));
    const size_t body = answer.find("\r\n\r\n");
    return body == std::string::npos ? std::map<std::string, std::string>{}
                                     : ParseExposition(answer.substr(body + 4));
  }

  std::FILE* log_file_ = nullptr;
  std::unique_ptr<Telemetry> telemetry_;
  testing::TestServer server_;
  uint64_t listener_ = 0;
  std::unique_ptr<MetricsHttpServer> metrics_;
};

TEST_P(TelemetryTest, CountsWhatHappenedAndLogsEachRefusalWithoutItsMessage) {
  const auto before = Scrape();
  const uint64_t events_before = Value(before, "ledger_events_appended_total");
  v1::AppendResponse r;
  ASSERT_TRUE(server_
                  .Append(Request({WithId(Beneficiary("amira"), "b1"),
                                   WithId(Donation(Gbp(500), "amira"), "d1"),
                                   WithId(Donation(Gbp(700)), "d2")}),
                          &r)
                  .ok());
  // Refused: more than the fund holds. The message would name the fund.
  EXPECT_FALSE(
      server_.Append(Request({WithId(Disbursement("amira", Gbp(90000)), "too-much")}), &r).ok());
  // Refused for want of a role: a viewer appending.
  auto viewer_token = server_.AddMember("viewer-vera", {v1::ROLE_VIEWER});
  ASSERT_TRUE(viewer_token.ok());
  auto viewer = v1::LedgerCommands::NewStub(server_.ChannelAs(*viewer_token));
  grpc::ClientContext ctx;
  v1::AppendRequest donation = Request({WithId(Donation(Gbp(1)), "by-viewer")});
  EXPECT_EQ(viewer->Append(&ctx, donation, &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Commit listeners are told just after the appends are answered: wait
  // (bounded) until the last commit is counted.
  auto after = Scrape();
  for (int i = 0; i < 100 && Value(after, "ledger_events_appended_total") < events_before + 5;
       ++i) {
    usleep(20 * 1000);
    after = Scrape();
  }
  // Three events, then MemberAdded and TokenIssued for the viewer.
  EXPECT_EQ(before.count("ledger_rpc_calls_total{method=\"LedgerCommands/Append\",code=\"OK\"}"),
            0u);
  EXPECT_EQ(Value(after, "ledger_events_appended_total"), events_before + 5);
  EXPECT_EQ(Value(after, "ledger_head_position"), server_.Head().position());
  EXPECT_EQ(Value(after, "ledger_refusals_total{reason=\"INSUFFICIENT_FUNDS\"}"), 1u);
  EXPECT_EQ(Value(after, "ledger_refusals_total{reason=\"ROLE_REQUIRED\"}"), 1u);
  // One Append over gRPC went through (AddMember writes to the log itself).
  EXPECT_EQ(Value(after, "ledger_rpc_calls_total{method=\"LedgerCommands/Append\",code=\"OK\"}"),
            1u);
  EXPECT_EQ(Value(after,
                  "ledger_rpc_calls_total{method=\"LedgerCommands/Append\",code="
                  "\"PERMISSION_DENIED\"}"),
            1u);
  // Histograms: cumulative, +Inf equals the count, one observation a commit.
  const uint64_t commits = Value(after, "ledger_commits_total");
  EXPECT_GE(commits, 2u);
  EXPECT_EQ(Value(after, "ledger_commit_duration_seconds_bucket{le=\"+Inf\"}"),
            Value(after, "ledger_commit_duration_seconds_count"));
  EXPECT_LE(Value(after, "ledger_commit_group_requests_bucket{le=\"1\"}"),
            Value(after, "ledger_commit_group_requests_bucket{le=\"2\"}"));
  EXPECT_GT(Value(after, "ledger_disk_size_bytes"), 0u);
  EXPECT_EQ(Value(after, "ledger_writes_healthy"), 1u);
  EXPECT_EQ(after.count("ledger_rocksdb_pending_compaction_bytes"), 1u);

  const std::string log = ReadAll(log_file_);
  // The refusal's message names the fund and the figures: never logged.
  EXPECT_FALSE(absl::StrContains(log, "900.00")) << log;
  EXPECT_FALSE(absl::StrContains(log, "available")) << log;
  if (GetParam() == LogFormat::kText) {
    EXPECT_TRUE(absl::StrContains(log,
                                  "refused LedgerCommands/Append member=admin code="
                                  "FAILED_PRECONDITION reason=INSUFFICIENT_FUNDS"))
        << log;
    EXPECT_TRUE(absl::StrContains(log,
                                  "member=viewer-vera code=PERMISSION_DENIED "
                                  "reason=ROLE_REQUIRED"))
        << log;
    EXPECT_TRUE(absl::StrContains(log, "commit head=")) << log;
    return;
  }
  // JSON: every line one object; the refusals and commits as expected.
  int refusals = 0;
  int commit_lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    google::protobuf::Struct object;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &object).ok())
        << line;
    const auto& f = object.fields();
    ASSERT_TRUE(f.count("msg") && f.count("time") && f.count("level")) << line;
    if (f.at("msg").string_value() == "commit") {
      ++commit_lines;
      EXPECT_GT(f.at("head").number_value(), 0);
    }
    if (f.at("msg").string_value() != "refused") continue;
    ++refusals;
    EXPECT_EQ(f.at("method").string_value(), "LedgerCommands/Append");
    if (f.at("reason").string_value() == "INSUFFICIENT_FUNDS") {
      EXPECT_EQ(f.at("member").string_value(), "admin");
      EXPECT_EQ(f.at("code").string_value(), "FAILED_PRECONDITION");
    } else {
      EXPECT_EQ(f.at("reason").string_value(), "ROLE_REQUIRED");
      EXPECT_EQ(f.at("member").string_value(), "viewer-vera");
    }
  }
  EXPECT_EQ(refusals, 2);
  EXPECT_EQ(commit_lines, static_cast<int>(commits));
}

TEST_P(TelemetryTest, TheMetricsPortAnswersOnlyGetOfMetrics) {
  EXPECT_TRUE(absl::StartsWith(Get(metrics_->port(), "/"), "HTTP/1.1 404"));
  EXPECT_TRUE(absl::StartsWith(Get(metrics_->port(), "/metrics/../etc/passwd"), "HTTP/1.1 404"));
  const std::string post = Http(
      metrics_->port(),
      "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  EXPECT_TRUE(absl::StartsWith(post, "HTTP/1.1 405")) << post;
  EXPECT_TRUE(absl::StrContains(post, "Allow: GET, HEAD"));
  // Not HTTP at all: closed, or a 400; the next scrape works.
  const std::string junk = Http(metrics_->port(), std::string(100, '\x01') + "\r\n\r\n");
  EXPECT_FALSE(absl::StrContains(junk, "ledger_"));
  EXPECT_FALSE(Scrape().empty());
}

TEST_P(TelemetryTest, AFloodTakesTheMetricsPortOnlyAndItAnswersAfter) {
  // Idle connections beyond the caps, and a header far beyond the memory budget.
  std::vector<int> idle;
  for (unsigned i = 0; i < kMetricsMaxConnections + 8; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(metrics_->port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    idle.push_back(fd);
  }
  // What the flooder gets: the metrics port full (a scrape from the same
  // address is turned away) - and the ledger itself answers meanwhile.
  EXPECT_FALSE(absl::StartsWith(Get(metrics_->port(), "/metrics"), "HTTP/1.1 200"));
  EXPECT_GT(server_.Head().position(), 0u);
  for (int fd : idle) close(fd);
  const std::string huge = Http(
      metrics_->port(), absl::StrCat("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ",
                                     std::string(4 * kMetricsConnectionMemory, 'a'), "\r\n\r\n"));
  EXPECT_FALSE(absl::StartsWith(huge, "HTTP/1.1 200")) << huge.substr(0, 100);
  // Once the flood is gone, a scrape answers (connections are freed as
  // libmicrohttpd sees them close: allow it a moment).
  std::string answer;
  for (int i = 0; i < 50 && !absl::StartsWith(answer, "HTTP/1.1 200"); ++i) {
    answer = Get(metrics_->port(), "/metrics");
    if (!absl::StartsWith(answer, "HTTP/1.1 200")) usleep(100 * 1000);
  }
  EXPECT_TRUE(absl::StartsWith(answer, "HTTP/1.1 200"));
}

INSTANTIATE_TEST_SUITE_P(Formats, TelemetryTest,
                         ::testing::Values(LogFormat::kText, LogFormat::kJson),
                         [](const auto& info) {
                           return info.param == LogFormat::kText ? "Text" : "Json";
                         });

TEST(MetricsHttpServerTest, RefusesToListenBeyondLoopback) {
  for (const char* address : {"0.0.0.0:0", "192.0.2.1:9464", "[::]:0", "example.org:9464"}) {
    auto started = MetricsHttpServer::Start(address, [] { return std::string(); });
    ASSERT_FALSE(started.ok()) << address;
    EXPECT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument) << address;
  }
  for (const char* address : {"127.0.0.1", "127.0.0.1:99999", "127.0.0.1:port"}) {
    EXPECT_FALSE(MetricsHttpServer::Start(address, [] { return std::string(); }).ok()) << address;
  }
}

TEST(TelemetryLogTest, JsonLinesEscapeWhatTheyCarry) {
  std::FILE* f = std::tmpfile();
  Telemetry telemetry(LogFormat::kJson, f);
  telemetry.Log("warn", "a \"quoted\"\\ line\nwith\ta control \x01 char");
  const std::string line = ReadAll(f);
  std::fclose(f);
  ASSERT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  google::protobuf::Struct object;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok()) << line;
  EXPECT_EQ(object.fields().at("msg").string_value(),
            "a \"quoted\"\\ line\nwith\ta control \x01 char");
  EXPECT_EQ(object.fields().at("level").string_value(), "warn");
}

TEST(HistogramTest, BucketsAreCumulativeAndBoundsExactDecimals) {
  Histogram h({250, 1000, 2500});
  for (uint64_t v : {100, 250, 251, 900, 5000}) h.Observe(v);
  std::string out;
  h.Write("x_seconds", 1000000, &out);
  EXPECT_EQ(out,
            "x_seconds_bucket{le=\"0.00025\"} 2\n"
            "x_seconds_bucket{le=\"0.001\"} 4\n"
            "x_seconds_bucket{le=\"0.0025\"} 4\n"
            "x_seconds_bucket{le=\"+Inf\"} 5\n"
            "x_seconds_sum 0.006501\n"
            "x_seconds_count 5\n");
}

}  // namespace
}  // namespace ledger
