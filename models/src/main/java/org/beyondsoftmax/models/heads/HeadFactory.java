package org.beyondsoftmax.models.heads;

import org.beyondsoftmax.models.spec.Spec;

/** Builds a head of one {@link org.beyondsoftmax.models.spec.Kind} from its typed spec. */
@FunctionalInterface
public interface HeadFactory {
  /** A head of {@code spec}'s kind with its options, its variables created with {@code config}. */
  OutputHead<?> create(HeadConfig<?> config, Spec<HeadFactory> spec);
}
