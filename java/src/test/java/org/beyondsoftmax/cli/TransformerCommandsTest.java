package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.attention.Normalisers;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.ops.PortableGraphs;
import org.beyondsoftmax.serve.ApiException;
import org.beyondsoftmax.serve.Device;
import org.beyondsoftmax.serve.Endpoint;
import org.beyondsoftmax.serve.Instance;
import org.beyondsoftmax.serve.Servable;
import org.beyondsoftmax.testing.BeyondRun;
import org.beyondsoftmax.train.ModelInfo;
import org.beyondsoftmax.train.TrainSettings;
import org.beyondsoftmax.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Issue 13's acceptance for the Transformer backbone, from the command line on the small test
 * corpus: every attention normaliser trains a tiny Transformer LM ({@code beyond train}), whose
 * SavedModel holds TensorFlow's own ops only, loads in plain TF-Java and keeps training through
 * {@code train_step}; {@code beyond eval} gives a finite perplexity (epsilon-smoothed for a sparse
 * head); its next-word endpoint answers a batch of prompts of every length as each prompt alone.
 * And the bad inputs of the Transformer's options: one line naming the thing.
 */
class TransformerCommandsTest {
  static final int POSITIONS = 6;

  @TempDir
  static Path tmp;

  static Path corpus() throws URISyntaxException {
    return Path.of(TransformerCommandsTest.class.getResource("/corpus/text-mini").toURI());
  }

  /** Every normaliser (attention spec, head): a tied head once, a sparse head once. */
  static Stream<Arguments> normalisers() {
    return Stream.of(
        Arguments.of("softmax", "softmax"),
        Arguments.of("sparsemax", "softmax"),
        Arguments.of("entmax:learn-alpha=true", "softmax"),
        Arguments.of("ssmax:learn-s=true", "softmax:tied=true"),
        Arguments.of("softpick", "softmax"),
        Arguments.of("sigmoid", "entmax"));
  }

  /** 2 blocks of width 8 with 2 heads, T = 6, 3 epochs. */
  static List<String> tinyTransformer(String attention, String head, Path out) throws URISyntaxException {
    return List.of("train", "--corpus", corpus().toString(), "--out", out.toString(), "--backbone", "transformer",
        "--attention", attention, "--head", head, "--hidden", "8", "--attention-heads", "2", "--layers", "2",
        "--bptt", String.valueOf(POSITIONS), "--batch", "4", "--eval-batch", "2", "--epochs", "3", "--lr", "0.02",
        "--dropout", "0.1", "--seed", "3", "--top-k", "3");
  }

  @Test
  void everyRegisteredNormaliserHasACase() {
    Set<String> covered = new TreeSet<>();
    normalisers().forEach(a -> covered.add(Normalisers.parse((String) a.get()[0]).name()));
    assertEquals(new TreeSet<>(Normalisers.REGISTRY.names()), covered);
  }

  @ParameterizedTest(name = "{0}, head {1}")
  @MethodSource("normalisers")
  void trainsExportsKeepsTrainingEvaluatesAndServes(String attention, String head) throws Exception {
    Path out = tmp.resolve(attention.replace(':', '_').replace('=', '_'));
    BeyondRun train = beyond(tinyTransformer(attention, head, out));
    assertEquals(0, train.code(), train.text());
    TrainSettings settings = Trainer.settingsOf(out);
    assertEquals(List.of("transformer", Normalisers.parse(attention), 2, 8),
        List.of(settings.backbone(), settings.attention(), settings.attentionHeads(), settings.embed()),
        "settings.json: the backbone, its normaliser and heads; embed = hidden");
    assertEquals(settings, Json.read(out.resolve("model.json"), ModelInfo.class).settings(), "model.json");

    try (SavedModelBundle b = SavedModelBundle.load(out.toString(), SavedModelBundle.DEFAULT_TAG)) {
      assertEquals(Set.of(), PortableGraphs.foreignOps(b.graph()), "TensorFlow's own ops only");
      assertNull(b.graph().operation(Signatures.stateIn(0)), "no recurrent state");
      List<Double> losses = new ArrayList<>();
      int[] ids = {1, 2, 3, 4, 2, 3};
      int[] targets = {2, 3, 4, 1, 3, 1};
      for (int i = 0; i < 12; i++) {
        try (TInt32 x = TInt32.tensorOf(Shape.of(2, 3), DataBuffers.of(ids, true, false));
            TInt32 y = TInt32.tensorOf(Shape.of(2, 3), DataBuffers.of(targets, true, false));
            Result r = b.function(Signatures.TRAIN_STEP).call(Map.of(Signatures.IDS, x, Signatures.TARGETS, y))) {
          losses.add((double) ((TFloat32) r.get(Signatures.LOSS).orElseThrow()).getFloat());
        }
      }
      assertTrue(losses.stream().allMatch(Double::isFinite) && losses.get(11) < losses.get(0),
          "train_step keeps training: " + losses);
    }

    Path report = tmp.resolve(out.getFileName() + "-eval.json");
    BeyondRun eval = beyond("eval", "--model", out.toString(), "--split", "test", "--json", report.toString());
    assertEquals(0, eval.code(), eval.text());
    JsonNode result = new ObjectMapper().readTree(report.toFile());
    assertEquals(List.of("transformer", attention), List.of(result.get("backbone").asText(),
        result.get("attention").asText()), "the eval report says what was evaluated");
    String key = head.equals("entmax") ? "smoothed_perplexity" : "perplexity";
    double perplexity = result.get(key).asDouble(Double.NaN);
    assertTrue(Double.isFinite(perplexity) && perplexity >= 1, key + ": " + result);

    Servable servable = Servable.load(out, Device.CPU, 1);
    try {
      Endpoint next = servable.endpoint(Signatures.SERVING);
      int[] prompt = {4, 1, 2, 3, 1, 2};
      List<Instance> all = new ArrayList<>();
      for (int n = 1; n <= POSITIONS; n++) {
        all.add(instance(next, java.util.Arrays.copyOfRange(prompt, POSITIONS - n, POSITIONS)));
      }
      List<Map<String, JsonNode>> batched = next.run(all);
      for (int n = 1; n <= POSITIONS; n++) {
        assertAnswersEqual(next.run(List.of(all.get(n - 1))).get(0), batched.get(n - 1), n + " words");
      }
      var tooLong = assertThrows(ApiException.class, () -> instance(next, new int[POSITIONS + 1]));
      assertTrue(tooLong.getMessage().contains("7 word ids are too many: the model reads at most 6"),
          tooLong.getMessage());
    } finally {
      servable.release();
    }
  }

  static Instance instance(Endpoint endpoint, int[] ids) {
    JsonNode values = new ObjectMapper().valueToTree(ids);
    return endpoint.read(Map.of(Signatures.IDS, values), 0, "instances[0]");
  }

  static void assertAnswersEqual(Map<String, JsonNode> alone, Map<String, JsonNode> batched, String what) {
    assertEquals(alone.get(Signatures.TOP_IDS), batched.get(Signatures.TOP_IDS), what + ": the same words");
    JsonNode p = alone.get(Signatures.TOP_PROBABILITIES);
    for (int i = 0; i < p.size(); i++) {
      assertEquals(p.get(i).asDouble(), batched.get(Signatures.TOP_PROBABILITIES).get(i).asDouble(), 1e-5,
          what + ": probability " + i);
    }
  }

  @Test
  void badTransformerOptionsAreOneLineNamingTheOption() throws Exception {
    Path out = tmp.resolve("bad");
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put("unknown attention normaliser 'nosuch'; valid attention normalisers: softmax, sparsemax, entmax, "
        + "ssmax, softpick, sigmoid", new String[] {"--backbone", "transformer", "--attention", "nosuch"});
    cases.put("attention normaliser 'entmax:alpah=1.2': unknown option 'alpah'; valid options: alpha, learn-alpha",
        new String[] {"--backbone", "transformer", "--attention", "entmax:alpah=1.2"});
    cases.put("alpha must be in (1, 2) when learned, got 2",
        new String[] {"--backbone", "transformer", "--attention", "entmax:alpha=2,learn-alpha=true"});
    cases.put("--attention-heads 3 must divide --hidden 8 (each head gets hidden / heads dimensions)",
        new String[] {"--backbone", "transformer", "--hidden", "8", "--attention-heads", "3"});
    cases.put("--attention and --attention-heads are options of the Transformer: add --backbone transformer "
        + "(the backbone is lstm)", new String[] {"--attention", "entmax"});
    cases.put("--attention and --attention-heads are options of the Transformer",
        new String[] {"--backbone", "lstm", "--attention-heads", "2"});
    cases.put("--backbone must be one of lstm, transformer, got 'gru'", new String[] {"--backbone", "gru"});
    cases.put("--embed 16 must equal --hidden 8 for the Transformer",
        new String[] {"--backbone", "transformer", "--hidden", "8", "--embed", "16"});
    for (var c : cases.entrySet()) {
      List<String> args = new ArrayList<>(List.of("train", "--corpus", corpus().toString(), "--out", out.toString()));
      args.addAll(List.of(c.getValue()));
      fails(beyond(args), 2, c.getKey());
    }
  }

  @Test
  void aPromptLongerThanThePositionsAndAChangedNormaliserOnResumeAreRefused() throws Exception {
    Path out = tmp.resolve("short");
    List<String> args = new ArrayList<>(tinyTransformer("softmax", "softmax", out));
    args.set(args.indexOf("--epochs") + 1, "1");
    assertEquals(0, beyond(args).code());
    try (SavedLanguageModel m = SavedLanguageModel.load(out)) {
      var e = assertThrows(RuntimeException.class, () -> m.logProbs(1, 7, new int[7], new int[7]));
      assertTrue(e.getMessage().contains("the Transformer reads at most 6 positions: ids and targets may have at "
          + "most 6 columns"), e.getMessage());
    }
    fails(beyond("train", "--resume", out.toString(), "--attention", "sigmoid"), 2,
        "--attention cannot be changed when resuming");
  }
}
