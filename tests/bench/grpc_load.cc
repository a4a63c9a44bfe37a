// grpc_load: a bounded gRPC load generator for ledgerd.
//
//   grpc_load --server 127.0.0.1:50051 --clients 32 --batch 1 --seconds 10
//             [--queries]   (query latency instead of appends)
//
// Each client thread owns a channel and appends donations (unary Append, the
// given number of events per request) as fast as answers come back, until
// the duration ends. Prints events/s, requests/s and p50 / p99 / max latency.
// Only loopback or local addresses make sense; the run stops by itself.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"

namespace v1 = ::solidarity::ledger::v1;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string server = "127.0.0.1:50051";
  int clients = 1;
  int batch = 1;
  int seconds = 10;
  bool queries = false;
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "grpc_load: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--server")
      o.server = next();
    else if (a == "--clients")
      (void)absl::SimpleAtoi(next(), &o.clients);
    else if (a == "--batch")
      (void)absl::SimpleAtoi(next(), &o.batch);
    else if (a == "--seconds")
      (void)absl::SimpleAtoi(next(), &o.seconds);
    else if (a == "--queries")
      o.queries = true;
    else {
      std::fprintf(
          stderr, "usage: grpc_load --server ADDR --clients N --batch N --seconds N [--queries]\n");
      std::exit(2);
    }
  }
  o.clients = std::clamp(o.clients, 1, 1024);
  o.batch = std::clamp(o.batch, 1, 1000);
  o.seconds = std::clamp(o.seconds, 1, 600);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  const auto end = Clock::now() + std::chrono::seconds(o.seconds);
  const std::string run = absl::StrCat(std::chrono::system_clock::now().time_since_epoch().count());
  std::atomic<uint64_t> requests{0}, events{0}, errors{0};
  std::vector<std::vector<double>> latencies(o.clients);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", c);  // one connection per client
      auto channel = grpc::CreateCustomChannel(o.server, grpc::InsecureChannelCredentials(), args);
      auto commands = v1::LedgerCommands::NewStub(channel);
      auto queries = v1::LedgerQueries::NewStub(channel);
      uint64_t n = 0;
      while (Clock::now() < end) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        const auto start = Clock::now();
        grpc::Status s;
        if (o.queries) {
          v1::ListBeneficiariesRequest req;
          v1::ListBeneficiariesResponse resp;
          s = queries->ListBeneficiaries(&ctx, req, &resp);
        } else {
          v1::AppendRequest req;
          for (int k = 0; k < o.batch; ++k) {
            v1::EventInput* in = req.add_events();
            in->set_event_id(absl::StrCat("load-", run, "-", c, "-", n++));
            in->set_occurred_on("2026-03-01");
            auto* d = in->mutable_body()->mutable_donation_received();
            d->mutable_amount()->set_amount_minor(100 + k);
            d->mutable_amount()->set_currency("GBP");
            d->set_donor_kind(v1::DONOR_KIND_ANONYMOUS);
          }
          v1::AppendResponse resp;
          s = commands->Append(&ctx, req, &resp);
        }
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (s.ok()) {
          latencies[c].push_back(ms);
          requests++;
          events += o.queries ? 0 : o.batch;
        } else {
          errors++;
          if (errors.load() == 1)
            std::fprintf(stderr, "grpc_load: %s\n", s.error_message().c_str());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))];
  };
  std::printf(
      "%s clients=%d batch=%d seconds=%d requests/s=%.0f events/s=%.0f p50_ms=%.2f p99_ms=%.2f "
      "max_ms=%.2f errors=%llu\n",
      o.queries ? "queries" : "appends", o.clients, o.batch, o.seconds,
      static_cast<double>(requests.load()) / o.seconds,
      static_cast<double>(events.load()) / o.seconds, pct(0.50), pct(0.99),
      all.empty() ? 0.0 : all.back(), static_cast<unsigned long long>(errors.load()));
  return errors.load() == 0 ? 0 : 1;
}
