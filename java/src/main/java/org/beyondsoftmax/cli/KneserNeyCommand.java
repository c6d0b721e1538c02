package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.KneserNey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code beyond kneser-ney}: the count-based baseline on the language models' exact data. */
@Command(
    name = "kneser-ney",
    description = "Perplexity of an interpolated modified Kneser-Ney trigram model (Chen & Goodman "
        + "1999) counted on the training split, on the validation and test splits, with the "
        + "vocabulary and token stream the language models use (the baseline to beat).")
public final class KneserNeyCommand extends BeyondCommand {
  @Mixin
  CorpusOptions corpus;

  @Mixin
  JsonReport json;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    Corpus c = corpus.load(err);
    KneserNey kn = new KneserNey(c.train(), c.vocabulary().size());
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("model", "interpolated modified Kneser-Ney trigram");
    r.put("corpus", corpus.corpus);
    r.put("vocabulary", c.vocabulary().size());
    r.put("valid_perplexity", kn.perplexity(c.valid()));
    r.put("valid_tokens", c.valid().length - 1);
    r.put("test_perplexity", kn.perplexity(c.test()));
    r.put("test_tokens", c.test().length - 1);
    out.printf("%s (|V| = %,d): Kneser-Ney trigram perplexity valid %.2f, test %.2f%n", corpus.corpus,
        c.vocabulary().size(), r.get("valid_perplexity"), r.get("test_perplexity"));
    out.flush();
    json.write(r, err);
    return 0;
  }
}
