package org.beyondsoftmax.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.testing.ForeignModels;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.beyondsoftmax.train.ModelInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beyond serve} end to end on loopback, with language models trained here and a stand-in
 * for a foreign SavedModel: answers equal unbatched session runs under 64 concurrent clients with
 * bad requests mixed in, sparse heads answer with their support, the model directory can be
 * corrupted, removed and replaced while serving, and shutdown lets requests in flight finish.
 */
class ServerTest {
  @TempDir
  static Path tmp;
  static Path softmax;
  static Path sparsemax;
  static int vocabulary;
  static int steps;

  @BeforeAll
  static void train() throws IOException {
    softmax = TinyLanguageModels.train(tmp.resolve("softmax"), "softmax", 2);
    sparsemax = TinyLanguageModels.train(tmp.resolve("sparsemax"), "sparsemax", 2);
    ModelInfo info = Json.read(softmax.resolve(ModelDirectory.MODEL_INFO), ModelInfo.class);
    vocabulary = info.vocabulary();
    steps = info.steps();
  }

  static String ids(int[] ids) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",").append(ids[i]);
    }
    return b.append(']').toString();
  }

  static int[] intArray(JsonNode a) {
    int[] x = new int[a.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = a.get(i).asInt();
    }
    return x;
  }

  static float[] floatArray(JsonNode a) {
    float[] x = new float[a.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) a.get(i).asDouble();
    }
    return x;
  }

  /** A bad request and a fragment of the error it must get. */
  record Bad(String body, String error) {}

  static Bad bad(SplittableRandom r) {
    return switch (r.nextInt(7)) {
      case 0 -> new Bad("{\"instances\": [[1, " + (vocabulary + r.nextInt(5)) + "]]}", "outside the vocabulary");
      case 1 -> new Bad("{\"instances\": [[1, -3]]}", "outside the vocabulary");
      case 2 -> new Bad("{\"instances\": [" + ids(new int[steps + 1]) + "]}", "too many");
      case 3 -> new Bad("{\"instances\": [[1, 2]", "malformed JSON");
      case 4 -> new Bad("{\"instances\": [[\"the\", \"cat\"]]}", "expected integers");
      case 5 -> new Bad("{\"signature_name\": \"train_step\", \"instances\": [[1]]}", "changes the model's variables");
      default -> new Bad("{\"instances\": [" + "[1],".repeat(16) + "[1]]}", "too many instances: 17");
    };
  }

  @Test
  void sixtyFourClientsGetTheUnbatchedAnswersAndEveryBadRequestA400() throws Exception {
    int clients = 64;
    int perClient = 16;
    Map<String, SavedLanguageModel.Next> reference = new ConcurrentHashMap<>();
    try (RunningServer s = new RunningServer(softmax, "lm", RunningServer.options(16, 5, 256), Duration.ZERO);
        SavedLanguageModel unbatched = SavedLanguageModel.load(softmax)) {
      Runtime rt = Runtime.getRuntime();
      System.gc();
      long heapBefore = rt.totalMemory() - rt.freeMemory();
      AtomicInteger good = new AtomicInteger();
      AtomicInteger goodInstances = new AtomicInteger();
      AtomicInteger bad = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        SplittableRandom r = new SplittableRandom(100 + c);
        done.add(pool.submit(() -> {
          for (int q = 0; q < perClient; q++) {
            if (r.nextInt(4) == 0) {
              Bad b = bad(r);
              RunningServer.Answer a = s.predict(b.body());
              assertEquals(400, a.status(), b.body() + " -> " + a.text());
              assertTrue(a.json().get("error").asText().contains(b.error()), b.body() + " -> " + a.text());
              bad.incrementAndGet();
              continue;
            }
            int n = 1 + r.nextInt(3);
            List<int[]> prompts = new ArrayList<>();
            StringBuilder body = new StringBuilder("{\"instances\": [");
            for (int i = 0; i < n; i++) {
              int[] p = r.ints(1 + r.nextInt(steps), 0, vocabulary).toArray();
              prompts.add(p);
              body.append(i == 0 ? "" : ",").append(ids(p));
            }
            RunningServer.Answer a = s.predict(body.append("]}").toString());
            assertEquals(200, a.status(), a.text());
            for (int i = 0; i < n; i++) {
              int[] p = prompts.get(i);
              SavedLanguageModel.Next want = reference.computeIfAbsent(ids(p), k -> {
                synchronized (unbatched) {
                  return unbatched.next(1, p.length, p);
                }
              });
              JsonNode got = a.json().get("predictions").get(i);
              assertArrayEquals(want.ids(), intArray(got.get("top_ids")), "prompt " + ids(p));
              assertArrayEquals(want.probabilities(), floatArray(got.get("top_probabilities")), 1e-5f, ids(p));
            }
            good.incrementAndGet();
            goodInstances.addAndGet(n);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();
      System.gc();
      long heapGrowth = rt.totalMemory() - rt.freeMemory() - heapBefore;
      String metrics = s.get("/metrics").text();
      double runs = metricValue(metrics, "beyond_serve_batch_size_count");
      System.out.printf("ServerTest: %d good requests (%d instances) in %.0f session runs, %d bad; heap %+.1f MB%n",
          good.get(), goodInstances.get(), runs, bad.get(), heapGrowth / 1e6);
      assertEquals(clients * perClient, good.get() + bad.get());
      assertTrue(bad.get() > 100, "a share of bad requests: " + bad.get());
      assertEquals(goodInstances.get(), metricValue(metrics, "beyond_serve_batch_size_sum"), "every instance ran once");
      assertTrue(runs < good.get() * 0.8, "concurrent requests shared session runs: " + runs + " runs for " + good.get());
      assertEquals(good.get(), metricValue(metrics, "beyond_serve_requests_total", "endpoint=predict", "code=200"));
      assertEquals(bad.get(), metricValue(metrics, "beyond_serve_requests_total", "endpoint=predict", "code=400"),
          metrics);
      assertFalse(metrics.contains("code=\"5") || metrics.contains("code=\"429"), "no 5xx, no 429:\n" + metrics);
      assertTrue(heapGrowth < 64e6, "memory bounded: heap grew by " + heapGrowth / 1e6 + " MB");
      assertTrue(s.log.stream().anyMatch(l -> l.contains("\"POST /v1/models/lm:predict\" 400")), "requests are logged");
    }
  }

  /**
   * The value of the series {@code name} whose labels include {@code labels} ("k=v" each), in
   * Prometheus' text format; 0 if there is none.
   */
  static double metricValue(String text, String name, String... labels) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + " ") || line.startsWith(name + "{"))) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      boolean all = true;
      for (String l : labels) {
        String[] kv = l.split("=", 2);
        all &= series.contains(kv[0] + "=\"" + kv[1] + "\"");
      }
      if (all) {
        return Double.parseDouble(line.substring(space + 1));
      }
    }
    return 0;
  }

  @Test
  void sparseHeadsAnswerWithTheirSupport() throws Exception {
    try (RunningServer s = new RunningServer(sparsemax, "sparse")) {
      String prompt = "[3, 4, 5]";
      JsonNode p = s.predict("{\"instances\": [" + prompt + "]}").json().get("predictions").get(0);
      int[] ids = intArray(p.get("top_ids"));
      float[] probs = floatArray(p.get("top_probabilities"));
      int support = p.get("support_size").asInt();
      assertEquals(support, ids.length, "the whole support without top_k");
      assertTrue(support >= 1 && support < vocabulary, "sparse: " + support + " of " + vocabulary);
      double sum = 0;
      for (int i = 0; i < probs.length; i++) {
        assertTrue(probs[i] > 0 && (i == 0 || probs[i] <= probs[i - 1]), "positive, most probable first");
        sum += probs[i];
      }
      assertEquals(1, sum, 1e-5, "the support holds all the mass");
      // the same words as the next-word distribution of the model's own next_word signature
      JsonNode logp = s.predict("{\"signature_name\": \"next_word\", \"instances\": [" + prompt + "]}").json()
          .get("predictions").get(0);
      assertEquals(vocabulary, logp.size());
      int finite = 0;
      for (int w = 0; w < vocabulary; w++) {
        JsonNode x = logp.get(w);
        if (x.isNumber()) {
          finite++;
        } else {
          assertEquals("-Infinity", x.asText(), "a word of probability 0 has log-probability -Infinity");
        }
      }
      assertEquals(support, finite);
      for (int i = 0; i < ids.length; i++) {
        assertEquals(Math.exp(logp.get(ids[i]).asDouble()), probs[i], 1e-6);
      }
      JsonNode top1 = s.predict("{\"instances\": [" + prompt + "], \"top_k\": 1}").json().get("predictions").get(0);
      assertArrayEquals(new int[] {ids[0]}, intArray(top1.get("top_ids")));
      assertEquals(support, top1.get("support_size").asInt());
    }
  }

  @Test
  void topKAndTheColumnarFormat() throws Exception {
    try (RunningServer s = new RunningServer(softmax, "lm");
        SavedLanguageModel unbatched = SavedLanguageModel.load(softmax)) {
      JsonNode out = s.predict("{\"inputs\": {\"ids\": [[1, 2, 3], [4, 5, 6]]}, \"top_k\": " + vocabulary + "}")
          .json().get("outputs");
      for (int row = 0; row < 2; row++) {
        int[] ids = intArray(out.get("top_ids").get(row));
        float[] p = floatArray(out.get("top_probabilities").get(row));
        assertEquals(vocabulary, ids.length);
        assertEquals(vocabulary, java.util.Arrays.stream(ids).distinct().count(), "every word once");
        double sum = 0;
        for (float x : p) {
          sum += x;
        }
        assertEquals(1, sum, 1e-4);
        SavedLanguageModel.Next want = unbatched.next(1, 3, row == 0 ? new int[] {1, 2, 3} : new int[] {4, 5, 6});
        assertArrayEquals(want.ids(), java.util.Arrays.copyOf(ids, want.k()), "the exported top k come first");
      }
      RunningServer.Answer tooBig = s.predict("{\"instances\": [[1]], \"top_k\": " + (vocabulary + 1) + "}");
      assertEquals(400, tooBig.status());
      assertTrue(tooBig.json().get("error").asText().contains("top_k must be an integer in [1, " + vocabulary + "]"));
    }
  }

  @Test
  void anyBatchedSignatureOfAForeignSavedModel() throws Exception {
    Path foreign = tmp.resolve("foreign");
    ForeignModels.linearClassifier(foreign);
    float[] w = ForeignModels.weights();
    try (RunningServer s = new RunningServer(foreign, "classifier")) {
      float[][] x = {{1, 0, 0, 0}, {0.5f, -1, 2, 0.25f}};
      JsonNode predictions = s.predict("{\"instances\": [[1, 0, 0, 0], [0.5, -1, 2, 0.25]]}").json().get("predictions");
      JsonNode scores = s.predict("{\"signature_name\": \"classify\", \"inputs\": [[1, 0, 0, 0], [0.5, -1, 2, 0.25]]}")
          .json().get("outputs");
      for (int i = 0; i < 2; i++) {
        double[] z = new double[ForeignModels.M];
        double norm = 0;
        for (int j = 0; j < z.length; j++) {
          for (int k = 0; k < ForeignModels.D; k++) {
            z[j] += 4 * x[i][k] * w[k * ForeignModels.M + j];
          }
          norm += Math.exp(z[j]);
        }
        for (int j = 0; j < z.length; j++) {
          assertEquals(z[j], scores.get(i).get(j).asDouble(), 1e-5, "one output: bare values, columnar");
          assertEquals(Math.exp(z[j]) / norm, predictions.get(i).get(j).asDouble(), 1e-6);
        }
      }
      RunningServer.Answer wrong = s.predict("{\"instances\": [[1, 2, 3]]}");
      assertEquals(400, wrong.status());
      assertTrue(wrong.json().get("error").asText().contains("instances[0].features: axis 0 must have 4 entries, got 3"),
          wrong.text());
      JsonNode meta = s.get("/v1/models/classifier/metadata").json();
      JsonNode features = meta.at("/metadata/signature_def/signature_def/classify/inputs/features");
      assertEquals("DT_FLOAT", features.get("dtype").asText());
      assertEquals("4", features.at("/tensor_shape/dim/1/size").asText());
    }
  }

  @Test
  void statusMetadataHealthAndHttpErrors() throws Exception {
    try (RunningServer s = new RunningServer(softmax, "lm")) {
      JsonNode status = s.get("/v1/models/lm").json();
      assertEquals("AVAILABLE", status.at("/model_version_status/0/state").asText());
      assertEquals("1", status.at("/model_version_status/0/version").asText());
      assertEquals(200, s.get("/v1/models/lm/versions/1").status());
      assertEquals(404, s.get("/v1/models/lm/versions/7").status());
      JsonNode meta = s.get("/v1/models/lm/metadata").json();
      assertEquals("lm", meta.at("/model_spec/name").asText());
      JsonNode defs = meta.at("/metadata/signature_def/signature_def");
      assertTrue(defs.has("serving_default") && defs.has("log_prob") && defs.has("next_word"), defs.toString());
      assertFalse(defs.has("train_step"), "train_step is not served");
      assertEquals(200, s.get("/healthz").status());
      assertEquals("ready", s.get("/readyz").json().get("status").asText());
      assertEquals(404, s.post("/v1/models/other:predict", "{\"instances\": [[1]]}").status());
      assertEquals(400, s.post("/v1/models/lm:classify", "{\"instances\": [[1]]}").status());
      assertEquals(405, s.get("/v1/models/lm:predict").status());
      assertEquals(404, s.get("/v2/nothing").status());
      RunningServer.Answer huge = s.predict("{\"instances\": [" + "[1],".repeat(300_000) + "[1]]}");
      assertEquals(413, huge.status(), huge.text());
      String metrics = s.get("/metrics").text();
      for (String series : List.of("beyond_serve_requests_total", "beyond_serve_errors_total",
          "beyond_serve_batch_size_bucket", "beyond_serve_request_latency_seconds_bucket", "beyond_serve_queue_length",
          "beyond_serve_model_loads_total")) {
        assertTrue(metrics.contains(series), series + " in\n" + metrics);
      }
      assertEquals(1, metricValue(metrics, "beyond_serve_errors_total", "kind=too_large"));
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static JsonNode waitFor(RunningServer s, java.util.function.Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      JsonNode status = s.get("/v1/models/lm").json();
      if (condition.test(status)) {
        return status;
      }
      assertTrue(System.nanoTime() < deadline, "status never changed: " + status + "\n" + s.log);
      Thread.sleep(50);
    }
  }

  @Test
  void theModelDirectoryCorruptedRemovedAndReplacedWhileServing() throws Exception {
    Path served = tmp.resolve("served");
    copyTree(softmax, served);
    Path other = TinyLanguageModels.train(tmp.resolve("other"), "softmax", 1); // different weights, same vocabulary
    String request = "{\"instances\": [[1, 2, 3]], \"top_k\": 5}";
    try (RunningServer s = new RunningServer(served, "lm", RunningServer.options(8, 1, 64), Duration.ofMillis(100))) {
      JsonNode before = s.predict(request).json();
      Files.write(served.resolve("saved_model.pb"), "not a graph".getBytes());
      JsonNode broken = waitFor(s, st -> st.get("model_version_status").size() == 2);
      assertEquals("END", broken.at("/model_version_status/0/state").asText());
      assertTrue(broken.at("/model_version_status/0/status/error_message").asText().contains("cannot load"),
          broken.toString());
      assertEquals("AVAILABLE", broken.at("/model_version_status/1/state").asText());
      assertEquals(before, s.predict(request).json(), "still serving the loaded version");

      deleteTree(served);
      waitFor(s, st -> st.at("/model_version_status/0/status/error_message").asText().contains("does not exist"));
      assertEquals(before, s.predict(request).json(), "still serving with the directory gone");
      assertEquals(200, s.get("/readyz").status());

      copyTree(other, served);
      JsonNode replaced = waitFor(s, st -> st.get("model_version_status").size() == 1);
      assertNotEquals("1", replaced.at("/model_version_status/0/version").asText());
      JsonNode after = s.predict(request).json();
      assertNotEquals(before, after, "the new version answers");
      try (SavedLanguageModel m = SavedLanguageModel.load(other)) {
        assertEquals(m.next(1, 3, new int[] {1, 2, 3}).ids()[0], after.at("/predictions/0/top_ids/0").asInt());
      }
      assertTrue(s.log.stream().anyMatch(l -> l.contains("still serving version 1")), String.join("\n", s.log));
    }
  }

  @Test
  void shutdownLetsARequestInFlightFinish() throws Exception {
    RunningServer s = new RunningServer(softmax, "lm");
    byte[] body = "{\"instances\": [[1, 2]]}".getBytes(StandardCharsets.UTF_8);
    Thread closer = new Thread(s::close);
    try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/models/lm:predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, 10);
      out.flush();
      Thread.sleep(300); // the request is in flight: its handler waits for the rest of the body
      closer.start();
      Thread.sleep(300);
      assertTrue(closer.isAlive(), "shutdown waits for the request in flight");
      out.write(body, 10, body.length - 10);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("HTTP/1.1 200 OK", in.readLine(), "the request in flight is answered");
    }
    closer.join(30_000);
    assertFalse(closer.isAlive(), "shutdown completes");
    assertThrows(ConnectException.class, () -> s.get("/healthz"), "the port is closed after shutdown");
  }
}
