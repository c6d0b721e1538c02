package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.beyondsoftmax.bench.BenchReport;
import org.beyondsoftmax.bench.CacheBenchmark;
import org.beyondsoftmax.bench.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond bench cache}: a cache head's cost per language-model step, as ratios to none. */
@Command(
    name = "cache",
    description = {
        "Times a training and an evaluation step of an LSTM language model without a cache, with the "
            + "untrained cache, TRIME and HistAlign (a full memory of --cache pairs), interleaved; each "
            + "ratio is to the same step without the cache.",
        "Also the state each carries between batches: 2 H floats per row, L (H + 1) more with a cache."},
    exitCodeList = {"0:all ran", "1:some variant failed to build or run", "2:invalid options"})
public final class BenchCacheCommand extends BeyondCommand {
  @Mixin
  JsonReport json;

  @Option(names = "--vocabulary", paramLabel = "V", defaultValue = "10000", description = "words (default: ${DEFAULT-VALUE})")
  int vocabulary;

  @Option(names = "--hidden", paramLabel = "H", defaultValue = "200",
      description = "embedding and LSTM size (default: ${DEFAULT-VALUE})")
  int hidden;

  @Option(names = "--bptt", paramLabel = "T", defaultValue = "35", description = "steps per window (default: ${DEFAULT-VALUE})")
  int bptt;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "rows (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--cache", paramLabel = "L", defaultValue = "100", description = "memories (default: ${DEFAULT-VALUE})")
  int cache;

  @Mixin
  HeadOption head;

  @Mixin
  TimingOptions timing;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    OptionRanges.atLeast(spec, "--vocabulary", vocabulary, 2);
    OptionRanges.atLeast(spec, "--hidden", hidden, 1);
    OptionRanges.atLeast(spec, "--bptt", bptt, 1);
    OptionRanges.atLeast(spec, "--batch", batch, 1);
    OptionRanges.atLeast(spec, "--cache", cache, 1);
    CacheBenchmark.Report report = CacheBenchmark.run(new CacheBenchmark.Settings(vocabulary, hidden, bptt, batch,
        cache, head.spec.toString(), timing.warmup, timing.rounds, timing.seed), err);
    out.print(ResultTable.format(new BenchReport(report.results(), report.failed())));
    for (CacheBenchmark.Memory m : report.memory()) {
      out.printf("state carried by %-9s %,9d floats per row, %,12d bytes per batch of %d%n", m.variant() + ":",
          m.floatsPerRow(), m.bytesPerBatch(), batch);
    }
    out.flush();
    json.write(report, err);
    return report.failed().isEmpty() ? 0 : 1;
  }
}
