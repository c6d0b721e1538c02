package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.savedmodel.TensorValues;
import org.beyondsoftmax.savedmodel.ValueType;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The {@code serving_default} signature of a language model exported by {@code beyond train}
 * (ids [B, T'] -&gt; the most probable next words), served with two additions: the request
 * option {@code top_k} (any k up to |V|, not only the k the model was exported with), and for
 * sparse heads (sparsemax, entmax) only the support: the words of probability &gt; 0, at most
 * {@code top_k} of them when it is given, and {@code support_size}.
 *
 * <p>Prompts of any lengths 1..T share one session run: they are left-padded to the longest
 * with positions of weight 0 (the graph's {@code weights} input), which leave the LSTM state as
 * it is and which a Transformer masks as keys and does not count as positions, and the next-word
 * log-probabilities (the {@code next_word} signature's output) are
 * read for all of them; the selection is made in Java ({@link NextWords}).
 */
public final class NextWordEndpoint implements Endpoint {
  public static final String SUPPORT_SIZE = "support_size";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Session session;
  private final Signature serving;
  private final String idsTensor;
  private final String weightsTensor;
  private final String logProbabilitiesTensor;
  private final WordIds wordIds;
  private final int defaultK;
  private final boolean sparse;

  /**
   * @param serving the model's {@code serving_default} signature (for its metadata)
   * @param nextWord the model's {@code next_word} signature: ids -&gt; log_probabilities [B, V]
   * @param weightsTensor the graph's per-position weights, e.g. {@code weights:0}
   * @param defaultK k when a request gives no {@code top_k}
   */
  public NextWordEndpoint(Session session, Signature serving, Signature nextWord, String weightsTensor,
      WordIds wordIds, int defaultK, boolean sparse) {
    this.session = session;
    this.serving = serving;
    this.idsTensor = nextWord.getInputs().get(Signatures.IDS).name;
    this.logProbabilitiesTensor = nextWord.getOutputs().get(Signatures.NEXT_LOG_PROBABILITIES).name;
    this.weightsTensor = weightsTensor;
    this.wordIds = wordIds;
    this.defaultK = defaultK;
    this.sparse = sparse;
  }

  @Override
  public String name() {
    return serving.key();
  }

  @Override
  public List<String> inputNames() {
    return List.of(Signatures.IDS);
  }

  @Override
  public List<String> outputNames() {
    return sparse ? List.of(Signatures.TOP_IDS, Signatures.TOP_PROBABILITIES, SUPPORT_SIZE)
        : List.of(Signatures.TOP_IDS, Signatures.TOP_PROBABILITIES);
  }

  @Override
  public boolean supportsTopK() {
    return true;
  }

  @Override
  public int maxTopK() {
    return wordIds.vocabulary();
  }

  @Override
  public Instance read(Map<String, JsonNode> values, int topK, String where) {
    String at = where + "." + Signatures.IDS;
    TensorValues ids = JsonTensors.read(values.get(Signatures.IDS), ValueType.INT32, new long[] {-1}, at);
    wordIds.check(ids, at);
    return new Instance(Map.of(Signatures.IDS, ids), topK);
  }

  @Override
  public Object batchKey(Instance instance) {
    return "next-word"; // any lengths: padded to the longest
  }

  @Override
  public List<Map<String, JsonNode>> run(List<Instance> instances) {
    int n = instances.size();
    int longest = 0;
    for (Instance i : instances) {
      longest = Math.max(longest, i.inputs().get(Signatures.IDS).size());
    }
    int[] ids = new int[n * longest];
    float[] weights = new float[n * longest];
    for (int r = 0; r < n; r++) {
      long[] row = instances.get(r).inputs().get(Signatures.IDS).longs();
      int pad = longest - row.length;
      for (int t = 0; t < row.length; t++) {
        ids[r * longest + pad + t] = (int) row[t];
        weights[r * longest + pad + t] = 1f;
      }
    }
    float[] logp;
    int vocabulary;
    Shape shape = Shape.of(n, longest);
    try (Tensor i = TInt32.tensorOf(shape, DataBuffers.of(ids, true, false));
        Tensor w = TFloat32.tensorOf(shape, DataBuffers.of(weights, true, false));
        Result r = session.runner().feed(idsTensor, i).feed(weightsTensor, w).fetch(logProbabilitiesTensor).run()) {
      TFloat32 out = (TFloat32) r.get(0);
      vocabulary = (int) out.shape().get(1);
      logp = new float[n * vocabulary];
      out.copyTo(DataBuffers.of(logp, false, false));
    }
    List<Map<String, JsonNode>> results = new ArrayList<>(n);
    float[] row = new float[vocabulary];
    for (int r = 0; r < n; r++) {
      System.arraycopy(logp, r * vocabulary, row, 0, vocabulary);
      int k = instances.get(r).topK();
      NextWords words = NextWords.select(row, k > 0 ? k : sparse ? 0 : defaultK, sparse);
      Map<String, JsonNode> result = new LinkedHashMap<>();
      var topIds = JSON.arrayNode(words.ids().length);
      var topP = JSON.arrayNode(words.ids().length);
      for (int j = 0; j < words.ids().length; j++) {
        topIds.add(words.ids()[j]);
        topP.add(words.probabilities()[j]);
      }
      result.put(Signatures.TOP_IDS, topIds);
      result.put(Signatures.TOP_PROBABILITIES, topP);
      if (sparse) {
        result.put(SUPPORT_SIZE, JSON.numberNode(words.support()));
      }
      results.add(result);
    }
    return results;
  }

  @Override
  public JsonNode signatureDef() {
    ObjectNode def = SignatureEndpoint.signatureDef(serving);
    ObjectNode outputs = (ObjectNode) def.get("outputs");
    for (String name : List.of(Signatures.TOP_IDS, Signatures.TOP_PROBABILITIES)) {
      // k varies with the request's top_k (and with the support of a sparse head)
      if (outputs.path(name).path("tensor_shape").path("dim").path(1) instanceof ObjectNode dim) {
        dim.put("size", "-1");
      }
    }
    return def;
  }
}
