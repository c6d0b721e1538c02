package org.beyondsoftmax.cli;

import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.attention.Normalisers;

/** Parses {@code --attention SPEC} into a typed normaliser spec; a bad one lists the normalisers. */
final class AttentionSpecConverter extends SpecConverter<AttentionFactory> {
  AttentionSpecConverter() {
    super(Normalisers.REGISTRY, "attention normalisers");
  }
}
