package org.beyondsoftmax.cli;

import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.spec.Spec;
import picocli.CommandLine.Option;

/** {@code --head SPEC}: the language model's output head (train, bench cache), parsed at the edge. */
final class HeadOption {
  @Option(names = "--head", paramLabel = "SPEC", defaultValue = "softmax", converter = HeadSpecConverter.class,
      description = "the output head, e.g. softmax, sigsoftmax, plif:knots=100000, mos:components=5, "
          + "entmax (default: ${DEFAULT-VALUE})")
  Spec<HeadFactory> spec;
}
