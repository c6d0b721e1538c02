package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.beyondsoftmax.bench.AttentionCases;
import org.beyondsoftmax.bench.BenchCase;
import org.beyondsoftmax.bench.BenchReport;
import org.beyondsoftmax.bench.BenchShape;
import org.beyondsoftmax.bench.BenchSuite;
import org.beyondsoftmax.bench.BenchmarkCases;
import org.beyondsoftmax.bench.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code beyond bench ops}: times forward+backward of every mapping and loss against the
 * softmax cross-entropy baseline at output-layer shapes, and of every attention normaliser
 * against softmax attention at attention shapes; prints a table, optionally writes JSON.
 */
@Command(
    name = "ops",
    description = {
        "Times one forward+backward step (Session.run fetching the gradient w.r.t. the logits) of "
            + "each op on float32 logits, interleaving the ops round by round, and reports the "
            + "median step time and its ratio to softmax_ce at the same shape.",
        "Mappings y(x) are timed through sum(y * w), w a fixed random upstream gradient; "
            + "losses with reduction SUM.",
        "The attention normalisers (*_attention) run on [B, H, Tq, Tk] scores with a causal mask "
            + "(gradient w.r.t. the scores and the per-head alpha or s), each as a ratio to "
            + "softmax_attention at the same shape."},
    exitCodeList = {
        "0:all ops ran", "1:some op failed to build or run (the others are reported)",
        "2:invalid options"})
public final class BenchOpsCommand extends BeyondCommand {
  @Mixin
  JsonReport json;

  @Option(names = "--shapes", paramLabel = "NxM", split = ",", converter = ShapeConverter.class,
      defaultValue = "2048x10000,256x100000",
      description = "comma-separated shapes [N examples x M classes] (default: ${DEFAULT-VALUE})")
  List<BenchShape> shapes;

  @Option(names = "--attention-shapes", paramLabel = "BxHxTqxTk", split = ",",
      converter = ShapeConverter.Attention.class, defaultValue = "64x4x256x256",
      description = "comma-separated shapes of attention scores [batch x heads x queries x keys] "
          + "for the attention normalisers (default: ${DEFAULT-VALUE})")
  List<BenchShape> attentionShapes;

  private static final BenchReport EMPTY = new BenchReport(List.of(), List.of());

  private List<String> only;

  @Mixin
  TimingOptions timing;

  @Option(names = "--only", paramLabel = "NAME", split = ",",
      description = "time only these ops and their baseline (softmax_ce, or softmax_attention "
          + "for the attention normalisers); one of: ${COMPLETION-CANDIDATES}",
      completionCandidates = OpNames.class)
  void setOnly(List<String> names) {
    for (String name : names) {
      if (!OpNames.all().contains(name)) {
        throw timing.invalid("--only", name, "unknown op; must be one of " + OpNames.all());
      }
    }
    only = names;
  }

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    BenchSuite suite = new BenchSuite(timing.warmup, timing.rounds, timing.seed, err);
    List<BenchCase> ops = selected(BenchmarkCases.ALL, BenchmarkCases.BASELINE);
    List<BenchCase> attention = selected(AttentionCases.ALL, AttentionCases.BASELINE);
    BenchReport report = BenchReport.concat(List.of(
        ops.isEmpty() ? EMPTY : suite.run(shapes, ops, BenchmarkCases.BASELINE),
        attention.isEmpty() ? EMPTY : suite.run(attentionShapes, attention, AttentionCases.BASELINE)));
    out.print(ResultTable.format(report));
    out.flush();
    json.write(report, err);
    return report.failed().isEmpty() ? 0 : 1;
  }

  /** The cases of a group that --only selects, with its baseline; none when it selects none. */
  private List<BenchCase> selected(List<BenchCase> group, String baseline) {
    if (only == null) {
      return group;
    }
    Set<String> wanted = new LinkedHashSet<>(only);
    if (group.stream().noneMatch(c -> wanted.contains(c.name()))) {
      return List.of();
    }
    wanted.add(baseline);
    return group.stream().filter(c -> wanted.contains(c.name())).toList();
  }

  /** The op names, for the help of --only. */
  static final class OpNames implements Iterable<String> {
    static List<String> all() {
      List<String> names = new ArrayList<>(BenchmarkCases.names());
      names.addAll(AttentionCases.names());
      return names;
    }

    @Override
    public java.util.Iterator<String> iterator() {
      return all().iterator();
    }
  }
}
