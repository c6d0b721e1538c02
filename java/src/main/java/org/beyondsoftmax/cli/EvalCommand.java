package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.train.CacheTuning;
import org.beyondsoftmax.train.CachedModel;
import org.beyondsoftmax.train.ModelInfo;
import org.beyondsoftmax.train.Perplexity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond eval}: the perplexity of an exported language model on a corpus split. */
@Command(
    name = "eval",
    description = {
        "Perplexity of a language model exported by 'beyond train' (loaded as a SavedModel: no "
            + "model code involved) on a split of a corpus, read as in training: --batch columns, "
            + "T tokens at a time, the LSTM state carried over (a Transformer reads each window of T "
            + "on its own); every next-word prediction of the split counts (tokens = words - 1).",
        "Sparse heads (sparsemax, entmax) give some words probability 0: their perplexity is "
            + "infinite (reported as null, \"n/a\") as soon as one test word falls outside the "
            + "support. For them the output adds the mean support size and the epsilon-smoothed "
            + "perplexity, p' = (p + eps) / (1 + eps |V|).",
        "--cache L evaluates with a neural cache of the last L (hidden state, next word) pairs "
            + "(Grave et al. 2017): p = (1 - lambda) p_head + lambda p_cache, the graph rebuilt from "
            + "model.json with the cache and the SavedModel's variables (the perplexity without the "
            + "cache comes from the same run). --tune-cache chooses lambda and theta by a grid search "
            + "on the validation split (reported), then evaluates --split with them."})
public final class EvalCommand extends BeyondCommand {
  @Mixin
  ModelOptions options = new ModelOptions("test");

  @Option(names = "--batch", paramLabel = "B", description = "columns (default: the model's --eval-batch)")
  Integer batch;

  @Option(names = "--epsilon", defaultValue = "" + Perplexity.DEFAULT_EPSILON,
      description = "smoothing of sparse heads' probabilities (default: ${DEFAULT-VALUE})")
  double epsilon;

  @Mixin
  JsonReport json;

  @Mixin
  CacheOptions cacheHead;

  @Option(names = "--tune-cache",
      description = "choose --cache-lambda and --cache-theta by a grid search on the validation split")
  boolean tune;

  @Option(names = "--tune-lambdas", paramLabel = "LAMBDA", split = ",",
      description = "the lambdas of --tune-cache, each in [0, 1] (default: 0,0.02,0.05,0.1,0.15,0.2,0.3,0.4,0.5,0.7)")
  List<Double> tuneLambdas;

  @Option(names = "--tune-thetas", paramLabel = "THETA", split = ",",
      description = "the thetas of --tune-cache, each > 0 (default: 0.05,0.1,0.2,0.3,0.5,0.7,1,1.5,2,3)")
  List<Double> tuneThetas;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    if (!(epsilon > 0)) {
      throw invalid("--epsilon must be > 0, got " + epsilon);
    }
    boolean withCache = cacheHead.given() || tune;
    if (withCache) {
      checkCacheOptions();
    }
    ModelSplit data = options.load(spec.commandLine(), err);
    ModelInfo info = data.info();
    Vocabulary vocabulary = data.vocabulary();
    String corpusSpec = data.corpus();
    int[] stream = data.stream();
    int columns = batch != null ? batch : info.settings() != null ? info.settings().evalBatch() : 10;
    if (withCache) {
      return evaluateWithCache(data, columns, out, err);
    }
    long start = System.nanoTime();
    Perplexity p;
    try (SavedLanguageModel m = SavedLanguageModel.load(options.model.dir)) {
      p = Perplexity.of(m::evaluate, stream, columns, info.steps(), vocabulary.size(), epsilon, null);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> result = report(p, info, corpusSpec, vocabulary);
    boolean finite = p.zeros() == 0;
    if (info.settings() != null && info.settings().cache() != null) {
      result.put("cache", info.settings().cache());
    }
    result.put("remapped_vocabulary", data.remapped());
    result.put("seconds", seconds);
    CacheSettings own = info.settings() == null ? null : info.settings().cache();
    out.println(String.format("%s %s (%s%s): perplexity %s over %,d tokens%s", corpusSpec, options.split, info.head(),
        own == null ? "" : ", its cache L = " + own.size(),
        finite ? String.format("%.2f", p.perplexity()) : "n/a (" + p.zeros() + " tokens with p = 0)",
        p.tokens(), info.sparse() ? String.format("; mean support %.1f, eps-smoothed perplexity %.2f (eps %.1g)",
            p.meanSupport(), p.smoothedPerplexity(), epsilon) : ""));
    out.flush();
    json.write(result, err);
    return 0;
  }

  /** What every evaluation reports: the perplexity of {@code p} and what it was measured on. */
  private Map<String, Object> report(Perplexity p, ModelInfo info, String corpusSpec, Vocabulary vocabulary) {
    Map<String, Object> result = new LinkedHashMap<>();
    boolean finite = p.zeros() == 0;
    result.put("perplexity", finite ? p.perplexity() : null);
    result.put("tokens", p.tokens());
    result.put("corpus", corpusSpec);
    result.put("split", options.split);
    result.put("head", info.head());
    if (info.settings() != null) {
      result.put("backbone", info.settings().backbone());
      result.put("attention", info.settings().attention());
    }
    result.put("vocabulary", vocabulary.size());
    result.put("nll_per_token", finite ? p.nll() / p.tokens() : null);
    if (info.sparse()) {
      result.put("zero_probability_tokens", p.zeros());
      result.put("mean_support", p.meanSupport());
      result.put("epsilon", epsilon);
      result.put("smoothed_perplexity", p.smoothedPerplexity());
    }
    return result;
  }

  /** Fails with status 2 for a cache option outside its range or a conflicting pair. */
  private void checkCacheOptions() {
    if (tune && (cacheHead.lambda != null || cacheHead.theta != null)) {
      throw invalid("give --tune-cache or --cache-lambda/--cache-theta, not both");
    }
    cacheHead.check(spec);
    for (double l : lambdas()) {
      if (!(l >= 0 && l <= 1)) {
        throw invalid("--tune-lambdas must each be in [0, 1], got " + l);
      }
    }
    for (double t : thetas()) {
      if (!(t > 0) || Double.isInfinite(t)) {
        throw invalid("--tune-thetas must each be finite and > 0, got " + t);
      }
    }
  }

  private List<Double> lambdas() {
    return tuneLambdas != null ? tuneLambdas : CacheTuning.LAMBDAS;
  }

  private List<Double> thetas() {
    return tuneThetas != null ? tuneThetas : CacheTuning.THETAS;
  }

  /** The perplexity with a cache: lambda and theta given, the model's own, or tuned on valid. */
  private Integer evaluateWithCache(ModelSplit data, int columns, PrintWriter out, PrintWriter err) throws IOException {
    ModelInfo info = data.info();
    Vocabulary vocabulary = data.vocabulary();
    String corpusSpec = data.corpus();
    int[] stream = data.stream();
    CacheSettings own = info.settings() == null ? null : info.settings().cache();
    CacheOptions.requireLstm(spec, info);
    CacheSettings cache = cacheHead.settings(spec, own, null);
    Map<String, Object> result = new LinkedHashMap<>();
    long start = System.nanoTime();
    CacheTuning.Evaluation e;
    boolean joint;
    try (LanguageModelSession session = CachedModel.open(options.model.dir, info, cache, false)) {
      joint = session.modelGraph().cache().joint();
      if (tune) {
        int[] valid = data.split(spec.commandLine(), "valid");
        err.printf("tuning the cache (L = %d) on the validation split: %d thetas x %d lambdas%n", cache.size(),
            thetas().size(), lambdas().size());
        err.flush();
        CacheTuning t = CacheTuning.tune(session, valid, columns, epsilon, lambdas(), thetas(), info.sparse(), null);
        CacheTuning.Point best = t.best();
        err.printf("tuned on valid: %s, theta %s (valid perplexity %.2f%s)%n",
            t.joint() ? "joint softmax" : "lambda " + best.lambda(), best.theta(), best.perplexity(),
            info.sparse() ? String.format(", eps-smoothed %.2f", best.smoothedPerplexity()) : "");
        err.flush();
        cache = cache.withMixture(t.joint() ? cache.lambda() : best.lambda(), best.theta());
        Map<String, Object> tuning = new LinkedHashMap<>();
        tuning.put("split", "valid");
        tuning.put("lambda", best.lambda());
        tuning.put("theta", best.theta());
        tuning.put("grid", t.grid());
        result.put("tuning", tuning);
      }
      e = CacheTuning.evaluate(session, stream, columns, epsilon, cache.lambda(), cache.theta(), null);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Perplexity p = e.cached();
    boolean finite = p.zeros() == 0;
    result.putAll(report(p, info, corpusSpec, vocabulary));
    result.put("perplexity_without_cache", e.head().zeros() == 0 ? e.head().perplexity() : null);
    result.put("cache", cache);
    result.put("mean_memory_rank", Double.isNaN(e.meanRank()) ? null : e.meanRank());
    result.put("ranked_tokens", e.ranked());
    if (info.sparse()) {
      result.put("zero_probability_tokens_without_cache", e.head().zeros());
      result.put("smoothed_perplexity_without_cache", e.head().smoothedPerplexity());
    }
    result.put("remapped_vocabulary", data.remapped());
    result.put("seconds", seconds);
    result.put("joint", joint);
    out.println(String.format("%s %s (%s, cache L = %d, %s, theta %s): perplexity %s (without the cache %s) over "
            + "%,d tokens%s", corpusSpec, options.split, info.head(), cache.size(),
        joint ? "joint softmax (" + cache.training().label() + ")" : "lambda " + cache.lambda(), cache.theta(),
        finite ? String.format("%.2f", p.perplexity()) : "n/a (" + p.zeros() + " tokens with p = 0)",
        e.head().zeros() == 0 ? String.format("%.2f", e.head().perplexity())
            : "n/a (" + e.head().zeros() + " tokens with p = 0)",
        p.tokens(), info.sparse() ? String.format("; mean support %.1f, eps-smoothed perplexity %.2f (without the "
            + "cache %.2f)", p.meanSupport(), p.smoothedPerplexity(), e.head().smoothedPerplexity()) : ""));
    out.flush();
    json.write(result, err);
    return 0;
  }
}
