package org.beyondsoftmax.models.attention;

import org.beyondsoftmax.models.spec.Spec;

/** Builds an attention normaliser of one {@link org.beyondsoftmax.models.spec.Kind} from its typed spec. */
@FunctionalInterface
public interface AttentionFactory {
  /** A normaliser of {@code spec}'s kind with its options, its variables created with {@code config}. */
  AttentionNormaliser<?> create(AttentionConfig<?> config, Spec<AttentionFactory> spec);
}
