package org.beyondsoftmax.serve;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.beyondsoftmax.savedmodel.KernelCoverage;
import org.beyondsoftmax.testing.BeyondRun;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beyond serve} and {@code beyond loadtest} as commands: start-up errors, a real process, SIGTERM. */
class ServeCommandTest {
  @Test
  void startupErrorsNameTheProblem(@TempDir Path tmp) throws IOException {
    BeyondRun missing = beyond("serve", "--model", tmp.resolve("nothing").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.text().contains("model directory " + tmp.resolve("nothing") + " does not exist"), missing.text());
    BeyondRun empty = beyond("serve", "--model", tmp.toString());
    assertTrue(empty.text().contains("holds no saved_model.pb"), empty.text());
    Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
    Files.writeString(corrupt.resolve("saved_model.pb"), "garbage");
    BeyondRun bad = beyond("serve", "--model", corrupt.toString());
    assertEquals(1, bad.code());
    assertTrue(bad.text().contains("cannot load the SavedModel in " + corrupt), bad.text());
    assertEquals(2, beyond("serve", "--model", tmp.toString(), "--device", "tpu").code());
    assertEquals(2, beyond("serve", "--model", tmp.toString(), "--port", "70000").code());
    assertEquals(2, beyond("serve", "--model", tmp.toString(), "--max-batch", "0").code());
  }

  @Test
  void deviceGpuFailsClearlyWithoutAGpu(@TempDir Path tmp) {
    BeyondRun gpu = beyond("serve", "--model", tmp.resolve("nothing").toString(), "--device", "gpu");
    assertEquals(1, gpu.code());
    if (KernelCoverage.gpuKernelsRegistered()) { // GPU build: fails on the GPU or, with one, on the model
      assertTrue(gpu.text().contains("no GPU is visible") || gpu.text().contains("does not exist"), gpu.text());
    } else {
      assertTrue(gpu.text().contains("this is the CPU build of TensorFlow") && gpu.text().contains("-Pgpu"), gpu.text());
    }
  }

  @Test
  void aServerProcessAnswersAndStopsGracefullyOnSigterm(@TempDir Path tmp) throws Exception {
    Path model = TinyLanguageModels.train(tmp.resolve("lm"), "softmax", 1);
    Process p = ChildJvm.of("org.beyondsoftmax.cli.Main", "serve", "--model", model.toString(), "--port", "0",
        "--host", "127.0.0.1", "--name", "lm").start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      Pattern serving = Pattern.compile("serving lm on http://127.0.0.1:(\\d+)/");
      int port = -1;
      while (port < 0) {
        String line = out.readLine();
        if (line == null) {
          break;
        }
        lines.add(line);
        Matcher m = serving.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      assertTrue(port > 0, "the server said where it listens:\n" + String.join("\n", lines));
      String url = "http://127.0.0.1:" + port + "/v1/models/lm:predict";
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
          .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1, 2]]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode answer = RunningServer.JSON.readTree(r.body());
      assertEquals(3, answer.at("/predictions/0/top_ids").size(), "the exported k");

      Path report = tmp.resolve("load.json");
      BeyondRun load = beyond("loadtest", "--url", url, "--concurrency", "1,4", "--requests", "40", "--warmup", "4",
          "--prompt-length", "3", "--max-id", "5", "--json", report.toString());
      assertEquals(0, load.code(), load.text());
      JsonNode results = Json.read(report, JsonNode.class).get("results");
      assertEquals(2, results.size());
      assertEquals(40, results.get(1).at("/statuses/200").asInt(), results.toString());
      assertTrue(results.get(1).get("requestsPerSecond").asDouble() > 0);

      p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server exits after SIGTERM");
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
    } finally {
      p.destroyForcibly();
    }
    String log = String.join("\n", lines);
    assertEquals(143, p.exitValue(), "the JVM's status after SIGTERM (128 + 15), once the hooks have run:\n" + log);
    assertTrue(log.contains("shutting down") && log.contains("stopped"), log);
    assertTrue(log.contains("\"POST /v1/models/lm:predict\" 200"), "request log:\n" + log);
  }
}
