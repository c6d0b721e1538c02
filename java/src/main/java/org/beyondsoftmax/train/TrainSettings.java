package org.beyondsoftmax.train;

import org.beyondsoftmax.args.Arguments;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.lm.Backbone;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.beyondsoftmax.models.lm.LanguageModelGraph;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.spec.Spec;

/**
 * Everything that determines a training run: with the same settings and corpus, a run (resumed
 * or not) gives the same result. Written to {@code OUT/settings.json} at the start.
 *
 * @param corpus {@code brown} or a directory
 * @param minCount text corpora: training words seen at most this often become {@code <unk>}
 * @param head the output head's spec
 * @param embed E, the word embedding size (the Transformer's is hidden)
 * @param hidden the LSTM's units per layer, or the Transformer's width D
 * @param layers LSTM layers or Transformer blocks
 * @param bptt T, the truncated-BPTT length (and the unrolled length of the exported graph); the
 *     Transformer's window and number of learned positions
 * @param batch B, training columns
 * @param evalBatch columns when evaluating validation and test
 * @param optimizer sgd or adam
 * @param learningRate the initial base rate
 * @param clip the largest global gradient norm (0: no clipping)
 * @param dropout locked dropout on embeddings, between layers, on the top outputs
 * @param epochs at most this many passes over the training data
 * @param maxSteps stop after this many updates in all (0: no limit)
 * @param lrDecay multiplies the learning rate after an epoch without validation improvement
 * @param patience stop after this many epochs in a row without validation improvement
 * @param topK k of the SavedModel's serving signature
 * @param backbone {@code lstm} or {@code transformer} (null, as in the settings of runs from before
 *     the Transformer: {@code lstm})
 * @param attention the Transformer's attention normaliser (null for the LSTM)
 * @param attentionHeads the Transformer's attention heads, dividing hidden (0 for the LSTM)
 * @param cache the model's cache head (how it is trained, its defaults at inference), or null for
 *     none; the LSTM's only, whose state carries the memory between windows
 */
public record TrainSettings(String corpus, int minCount, Spec<HeadFactory> head, int embed, int hidden, int layers,
    int bptt, int batch, int evalBatch, String optimizer, double learningRate, double clip, double dropout,
    int epochs, long maxSteps, double lrDecay, int patience, long seed, int topK, String backbone,
    Spec<AttentionFactory> attention, int attentionHeads, CacheSettings cache) {

  public TrainSettings {
    java.util.Objects.requireNonNull(head, "head");
    backbone = backbone == null ? Backbone.Lstm.NAME : backbone;
    checkBackbone(backbone, attention, attentionHeads, embed, hidden);
    if (cache != null && !backbone.equals(Backbone.Lstm.NAME)) {
      throw new IllegalArgumentException("--cache needs --backbone lstm (its memory travels in the LSTM's state "
          + "between windows), got --backbone " + backbone);
    }
    positive("embed", embed);
    positive("hidden", hidden);
    positive("bptt", bptt);
    positive("batch", batch);
    positive("eval-batch", evalBatch);
    positive("epochs", epochs);
    positive("top-k", topK);
    if (layers < 1 || layers > 8) {
      throw new IllegalArgumentException("--layers must be in [1, 8], got " + layers);
    }
    kind(optimizer);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("--lr must be finite and > 0, got " + learningRate);
    }
    if (!(clip >= 0)) {
      throw new IllegalArgumentException("--clip must be >= 0, got " + clip);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("--max-steps must be >= 0, got " + maxSteps);
    }
    if (!(lrDecay > 0 && lrDecay <= 1)) {
      throw new IllegalArgumentException("--lr-decay must be in (0, 1], got " + lrDecay);
    }
    if (patience < 1) {
      throw new IllegalArgumentException("--patience must be >= 1, got " + patience);
    }
    if (minCount < 0) {
      throw new IllegalArgumentException("--min-count must be >= 0, got " + minCount);
    }
  }

  /** Settings of a model without a cache. */
  public TrainSettings(String corpus, int minCount, Spec<HeadFactory> head, int embed, int hidden, int layers,
      int bptt, int batch, int evalBatch, String optimizer, double learningRate, double clip, double dropout,
      int epochs, long maxSteps, double lrDecay, int patience, long seed, int topK, String backbone,
      Spec<AttentionFactory> attention, int attentionHeads) {
    this(corpus, minCount, head, embed, hidden, layers, bptt, batch, evalBatch, optimizer, learningRate, clip,
        dropout, epochs, maxSteps, lrDecay, patience, seed, topK, backbone, attention, attentionHeads, null);
  }

  /** The settings of an LSTM run. */
  public static TrainSettings lstm(String corpus, int minCount, Spec<HeadFactory> head, int embed, int hidden,
      int layers, int bptt, int batch, int evalBatch, String optimizer, double learningRate, double clip,
      double dropout, int epochs, long maxSteps, double lrDecay, int patience, long seed, int topK) {
    return new TrainSettings(corpus, minCount, head, embed, hidden, layers, bptt, batch, evalBatch, optimizer,
        learningRate, clip, dropout, epochs, maxSteps, lrDecay, patience, seed, topK, Backbone.Lstm.NAME, null, 0);
  }

  /** These settings with a Transformer backbone: {@code attention}, {@code heads} heads, embed = hidden. */
  public TrainSettings withTransformer(Spec<AttentionFactory> attention, int heads) {
    return new TrainSettings(corpus, minCount, head, hidden, hidden, layers, bptt, batch, evalBatch, optimizer,
        learningRate, clip, dropout, epochs, maxSteps, lrDecay, patience, seed, topK, Backbone.Transformer.NAME,
        attention, heads, cache);
  }

  private static void checkBackbone(String backbone, Spec<AttentionFactory> attention, int heads, int embed,
      int hidden) {
    if (!Backbone.NAMES.contains(backbone)) {
      throw new IllegalArgumentException("--backbone must be one of " + String.join(", ", Backbone.NAMES) + ", got '"
          + backbone + "'");
    }
    if (backbone.equals(Backbone.Lstm.NAME)) {
      if (attention != null || heads != 0) {
        throw new IllegalArgumentException("--attention and --attention-heads are options of the Transformer: "
            + "add --backbone transformer (the backbone is lstm)");
      }
      return;
    }
    java.util.Objects.requireNonNull(attention, "attention");
    if (heads < 1) {
      throw new IllegalArgumentException("--attention-heads must be >= 1, got " + heads);
    }
    if (hidden % heads != 0) {
      throw new IllegalArgumentException("--attention-heads " + heads + " must divide --hidden " + hidden
          + " (each head gets hidden / heads dimensions)");
    }
    if (embed != hidden) {
      throw new IllegalArgumentException("--embed " + embed + " must equal --hidden " + hidden + " for the "
          + "Transformer (its embeddings join the residual stream of width --hidden): leave --embed out");
    }
  }

  private static void positive(String name, int value) {
    Arguments.atLeast("--" + name, value, 1);
  }

  static Optimizer.Kind kind(String optimizer) {
    return switch (optimizer) {
      case "sgd" -> Optimizer.Kind.SGD;
      case "adam" -> Optimizer.Kind.ADAM;
      default -> throw new IllegalArgumentException("--optimizer must be sgd or adam, got '" + optimizer + "'");
    };
  }

  /** The architecture for a vocabulary of {@code vocabulary} words. */
  public LanguageModel.Config model(int vocabulary) {
    return new LanguageModel.Config(vocabulary, embed, hidden, layers, head, seed, backboneConfig());
  }

  /** The backbone: the LSTM, or the Transformer with {@code bptt} positions. */
  public Backbone backboneConfig() {
    return backbone.equals(Backbone.Lstm.NAME) ? Backbone.LSTM
        : new Backbone.Transformer(attention, attentionHeads, bptt);
  }

  public LanguageModelGraph.Training training() {
    return new LanguageModelGraph.Training(Optimizer.Settings.of(kind(optimizer), clip), learningRate, dropout);
  }

  /** These settings with a new epoch and step limit (all a resumed run may change). */
  public TrainSettings withLimits(int epochs, long maxSteps) {
    return new TrainSettings(corpus, minCount, head, embed, hidden, layers, bptt, batch, evalBatch, optimizer,
        learningRate, clip, dropout, epochs, maxSteps, lrDecay, patience, seed, topK, backbone, attention,
        attentionHeads, cache);
  }

  /** These settings with the cache {@code cache} (null: none). */
  public TrainSettings withCache(CacheSettings cache) {
    return new TrainSettings(corpus, minCount, head, embed, hidden, layers, bptt, batch, evalBatch, optimizer,
        learningRate, clip, dropout, epochs, maxSteps, lrDecay, patience, seed, topK, backbone, attention,
        attentionHeads, cache);
  }
}
