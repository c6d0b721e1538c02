package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.train.ModelInfo;
import org.beyondsoftmax.train.Perplexity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code beyond eval}: the perplexity of an exported language model on a corpus split. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = {
        "Perplexity of a language model exported by 'beyond train' (loaded as a SavedModel: no "
            + "model code involved) on a split of a corpus, read as in training: --batch columns, "
            + "T tokens at a time, the LSTM state carried over (a Transformer reads each window of T "
            + "on its own); every next-word prediction of the split counts (tokens = words - 1).",
        "Sparse heads (sparsemax, entmax) give some words probability 0: their perplexity is "
            + "infinite (reported as null, \"n/a\") as soon as one test word falls outside the "
            + "support. For them the output adds the mean support size and the epsilon-smoothed "
            + "perplexity, p' = (p + eps) / (1 + eps |V|)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:failed", "2:invalid options"})
public final class EvalCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR", required = true, description = "the --out DIR of 'beyond train'")
  Path model;

  @Option(names = "--corpus", paramLabel = "brown|DIR", description = "default: the corpus the model was trained on")
  String corpus;

  @Mixin
  CorpusCache cache;

  @Option(names = "--split", defaultValue = "test", description = "train, valid or test (default: ${DEFAULT-VALUE})")
  String split;

  @Option(names = "--batch", paramLabel = "B", description = "columns (default: the model's --eval-batch)")
  Integer batch;

  @Option(names = "--epsilon", defaultValue = "" + Perplexity.DEFAULT_EPSILON,
      description = "smoothing of sparse heads' probabilities (default: ${DEFAULT-VALUE})")
  double epsilon;

  @Mixin
  JsonReport json;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path infoFile = model.resolve(ModelDirectory.MODEL_INFO);
    if (!Files.isRegularFile(infoFile)) {
      throw new ParameterException(spec.commandLine(), "--model " + model + ": no " + ModelDirectory.MODEL_INFO
          + " there (a directory written by 'beyond train')");
    }
    if (!(epsilon > 0)) {
      throw new ParameterException(spec.commandLine(), "--epsilon must be > 0, got " + epsilon);
    }
    ModelInfo info = Json.read(infoFile, ModelInfo.class);
    Vocabulary vocabulary = Vocabulary.read(model.resolve(ModelDirectory.VOCABULARY));
    String corpusSpec = corpus != null ? corpus : info.corpus();
    Corpus c = cache.load(corpusSpec, info.settings().minCount(), err);
    int[] stream;
    try {
      stream = c.split(split);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--split: " + e.getMessage());
    }
    boolean remapped = !c.vocabulary().fingerprint().equals(info.vocabularyFingerprint());
    if (remapped) {
      err.println("the corpus's vocabulary differs from the model's: words are mapped through the model's "
          + ModelDirectory.VOCABULARY + " (unknown words to " + Vocabulary.UNK + ")");
      int[] mapped = new int[stream.length];
      for (int i = 0; i < mapped.length; i++) {
        mapped[i] = vocabulary.id(c.vocabulary().word(stream[i]));
      }
      stream = mapped;
    }
    int columns = batch != null ? batch : info.settings().evalBatch();
    long start = System.nanoTime();
    Perplexity p;
    try (SavedLanguageModel m = SavedLanguageModel.load(model)) {
      p = Perplexity.of(m::evaluate, stream, columns, info.steps(), vocabulary.size(), epsilon, null);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> result = new LinkedHashMap<>();
    boolean finite = p.zeros() == 0;
    result.put("perplexity", finite ? p.perplexity() : null);
    result.put("tokens", p.tokens());
    result.put("corpus", corpusSpec);
    result.put("split", split);
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
    result.put("remapped_vocabulary", remapped);
    result.put("seconds", seconds);
    out.println(String.format("%s %s (%s): perplexity %s over %,d tokens%s", corpusSpec, split, info.head(),
        finite ? String.format("%.2f", p.perplexity()) : "n/a (" + p.zeros() + " tokens with p = 0)",
        p.tokens(), info.sparse() ? String.format("; mean support %.1f, eps-smoothed perplexity %.2f (eps %.1g)",
            p.meanSupport(), p.smoothedPerplexity(), epsilon) : ""));
    out.flush();
    json.write(result, err);
    return 0;
  }
}
