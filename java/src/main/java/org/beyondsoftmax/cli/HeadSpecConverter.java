package org.beyondsoftmax.cli;

import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;

/** Parses {@code --head SPEC} into a typed head spec; a bad one lists the heads. */
final class HeadSpecConverter extends SpecConverter<HeadFactory> {
  HeadSpecConverter() {
    super(Heads.REGISTRY, "heads");
  }
}
