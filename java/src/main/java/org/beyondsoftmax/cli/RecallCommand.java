package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.attention.Normalisers;
import org.beyondsoftmax.recall.RecallExperiment;
import org.beyondsoftmax.recall.RecallPlots;
import org.beyondsoftmax.recall.RecallReport;
import org.beyondsoftmax.recall.RecallSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond recall}: associative recall trained at one length, tested at longer ones, per normaliser. */
@Command(
    name = "recall",
    description = {
        "Synthetic associative recall: a sequence of L - 1 key-value pairs (one pair per position, K keys, "
            + "V values) then a query key; the model answers the value of the one pair with that key (chance "
            + "1 / V). A small causal Transformer per attention normaliser, without positional embeddings "
            + "(recall needs content only; learned positions could not extrapolate), is trained at "
            + "--train-length and tested at each of --test-lengths on fresh sequences.",
        "Seeded and deterministic: every normaliser sees the same data."})
public final class RecallCommand extends BeyondCommand {
  static final String DEFAULT_ATTENTION = "softmax,sparsemax,entmax,ssmax,softpick,sigmoid";

  private List<org.beyondsoftmax.models.spec.Spec<AttentionFactory>> attention = Normalisers.REGISTRY.parseList(DEFAULT_ATTENTION);

  @Option(names = "--attention", paramLabel = "SPECS",
      description = "normalisers to compare, separated by ',' or ';' (default: " + DEFAULT_ATTENTION + ")")
  void setAttention(String value) {
    try {
      attention = Normalisers.REGISTRY.parseList(value);
    } catch (IllegalArgumentException e) {
      throw invalid("Invalid value for option '--attention': "
          + e.getMessage().lines().findFirst().orElse("") + "; attention normalisers: "
          + String.join(", ", Normalisers.REGISTRY.names()));
    }
  }

  @Option(names = "--train-length", paramLabel = "L", defaultValue = "64",
      description = "length of the training sequences, >= 2 (default: ${DEFAULT-VALUE})")
  int trainLength;

  @Option(names = "--curriculum", paramLabel = "L", split = ",",
      description = "shorter training lengths first, e.g. 16,32 with --train-length 64: the steps are split evenly "
          + "over them and then --train-length; shorter sequences are left-padded and the padding masked "
          + "(default: none)")
  List<Integer> curriculum = List.of();

  @Option(names = "--test-lengths", paramLabel = "L", split = ",", defaultValue = "64,128,256,512",
      description = "lengths tested, each >= 2 (default: ${DEFAULT-VALUE})")
  List<Integer> testLengths;

  @Option(names = "--keys", paramLabel = "K", defaultValue = "64", description = "key symbols, >= 2 (default: ${DEFAULT-VALUE})")
  int keys;

  @Option(names = "--values", paramLabel = "V", defaultValue = "8", description = "value symbols, >= 2 (default: ${DEFAULT-VALUE})")
  int values;

  @Option(names = "--width", paramLabel = "D", defaultValue = "32", description = "model width, >= 1 (default: ${DEFAULT-VALUE})")
  int width;

  @Option(names = "--layers", paramLabel = "N", defaultValue = "1", description = "Transformer blocks, in [1, 8] (default: ${DEFAULT-VALUE})")
  int layers;

  @Option(names = "--attention-heads", paramLabel = "H", defaultValue = "2",
      description = "heads per block, dividing --width (default: ${DEFAULT-VALUE})")
  int heads;

  @Mixin
  AdamOptions adam = new AdamOptions(3000, 0.01);

  @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "sequences per step, >= 1 (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--test-sequences", paramLabel = "N", defaultValue = "512",
      description = "test sequences per length, >= 1 (default: ${DEFAULT-VALUE})")
  int testSequences;

  @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
  long seed;

  @Mixin
  JsonReport json;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "write accuracy against length as a PNG")
  Path plot;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    RecallSettings settings = checked(() -> new RecallSettings(attention, keys, values, trainLength, curriculum, testLengths,
        width, layers, heads, adam.steps, batch, adam.lr, testSequences, seed));
    StringBuilder header = new StringBuilder(String.format("%-28s", "attention"));
    settings.testLengths().forEach(l -> header.append(String.format(" %8s", "L=" + l)));
    out.println(header.append("  final loss  seconds"));
    out.flush();
    RecallReport report = RecallExperiment.run(settings, r -> {
      StringBuilder line = new StringBuilder(String.format("%-28s", r.attention()));
      settings.testLengths().forEach(l -> line.append(String.format(" %8.3f", r.accuracy().get(l))));
      out.println(line.append(String.format("  %10.4f  %7.1f", r.finalLoss(), r.seconds())));
      out.flush();
    });
    out.println(String.format("chance %.3f; positions: %s", report.chance(), report.positions()));
    out.flush();
    json.write(report, err);
    return plot == null || ReportFiles.figure(report, RecallPlots::accuracy, plot, "accuracy against length", err)
        ? 0 : 1;
  }
}
