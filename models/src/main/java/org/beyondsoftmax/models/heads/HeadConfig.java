package org.beyondsoftmax.models.heads;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * What every head needs to create its variables: the graph ({@code tf}, whose scope names the
 * head's variables), the dtype, the hidden size d, the number of classes M, a seed for the
 * initial values, and optionally an input embedding [M, d] to tie the output weights to.
 *
 * <p>The same seed gives the same initial values: variables are initialised by stateless random
 * ops keyed by (seed, the variable's name inside its head), so two heads built with one seed start
 * from the same class embeddings.
 */
public record HeadConfig<T extends TFloating>(
    Ops tf, Class<T> dtype, int hiddenSize, int classes, long seed, Optional<Operand<T>> tiedEmbedding) {

  public HeadConfig {
    if (hiddenSize < 1) {
      throw new IllegalArgumentException("hiddenSize must be >= 1, got " + hiddenSize);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be >= 2, got " + classes);
    }
    tiedEmbedding.ifPresent(e -> {
      Shape expected = Shape.of(classes, hiddenSize);
      if (!e.shape().isCompatibleWith(expected)) {
        throw new IllegalArgumentException(
            "tiedEmbedding must have shape " + expected + " [classes, hiddenSize], got " + e.shape());
      }
    });
  }

  /** A configuration without a tied embedding. */
  public HeadConfig(Ops tf, Class<T> dtype, int hiddenSize, int classes, long seed) {
    this(tf, dtype, hiddenSize, classes, seed, Optional.empty());
  }

  /** This configuration with {@code embedding} [classes, hiddenSize] to tie output weights to. */
  public HeadConfig<T> withTiedEmbedding(Operand<T> embedding) {
    return new HeadConfig<>(tf, dtype, hiddenSize, classes, seed, Optional.of(embedding));
  }
}
