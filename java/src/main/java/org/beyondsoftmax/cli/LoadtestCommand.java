package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.serve.LoadTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond loadtest}: throughput and latency of a running predict endpoint. */
@Command(
    name = "loadtest",
    description = {
        "Sends --requests predict requests to --url from C concurrent clients (closed loop: each waits for its "
            + "answer before the next) for each C of --concurrency, after --warmup requests, and reports "
            + "requests per second and latency percentiles (p50, p90, p99, max) with the answers by status.",
        "Bodies: --body FILE (the same JSON for every request), or by default a language-model request "
            + "{\"instances\": [[ids]]} of --prompt-length random word ids below --max-id (seeded)."},
    exitCodeList = {"0:every request answered 200", "1:some were not", "2:invalid options"})
public final class LoadtestCommand extends BeyondCommand {
  @Option(names = "--url", required = true, description = "e.g. http://127.0.0.1:8501/v1/models/lm:predict")
  URI url;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,8,64",
      description = "concurrent clients, one run each (default: ${DEFAULT-VALUE})")
  List<Integer> concurrency;

  @Option(names = "--requests", defaultValue = "1000", description = "requests per run (default: ${DEFAULT-VALUE})")
  int requests;

  @Option(names = "--warmup", defaultValue = "50", description = "requests before the runs, not measured (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--body", paramLabel = "FILE", description = "the JSON body of every request")
  Path body;

  @Option(names = "--prompt-length", defaultValue = "20", description = "ids per generated prompt (default: ${DEFAULT-VALUE})")
  int promptLength;

  @Option(names = "--max-id", defaultValue = "1000", description = "generated ids are below this (default: ${DEFAULT-VALUE})")
  int maxId;

  @Option(names = "--top-k", description = "add \"top_k\" to generated requests")
  Integer topK;

  @Option(names = "--seed", defaultValue = "1", description = "of the generated prompts (default: ${DEFAULT-VALUE})")
  long seed;

  @Mixin
  JsonReport json;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
    if (requests < 1 || warmup < 0 || promptLength < 1 || maxId < 1 || concurrency.stream().anyMatch(c -> c < 1)) {
      throw invalid("--requests, --prompt-length, --max-id and every --concurrency must be >= 1, --warmup >= 0");
    }
    IntFunction<String> bodies;
    if (body != null) {
      String fixed = Files.readString(body, StandardCharsets.UTF_8);
      bodies = i -> fixed;
    } else {
      bodies = i -> {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
        StringBuilder b = new StringBuilder("{\"instances\": [[");
        for (int t = 0; t < promptLength; t++) {
          b.append(t == 0 ? "" : ",").append(r.nextInt(maxId));
        }
        return b.append("]]").append(topK == null ? "" : ", \"top_k\": " + topK).append('}').toString();
      };
    }
    LoadTest test = new LoadTest(url, bodies);
    if (warmup > 0) {
      test.run(Math.min(8, warmup), warmup);
    }
    out.printf("%11s %9s %9s %10s %9s %9s %9s %9s  %s%n", "concurrency", "requests", "ok", "req/s", "p50 ms",
        "p90 ms", "p99 ms", "max ms", "statuses");
    List<LoadTest.Result> results = new ArrayList<>();
    boolean allOk = true;
    for (int c : concurrency) {
      LoadTest.Result r = test.run(c, requests);
      results.add(r);
      allOk &= r.ok() == r.requests();
      out.printf("%11d %9d %9d %10.1f %9.2f %9.2f %9.2f %9.2f  %s%n", c, r.requests(), r.ok(), r.requestsPerSecond(),
          r.p50Ms(), r.p90Ms(), r.p99Ms(), r.maxMs(), r.statuses());
      out.flush();
    }
    if (json.json != null) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("url", url.toString());
      report.put("results", results);
      Json.write(json.json, report);
    }
    return allOk ? 0 : 1;
  }
}
