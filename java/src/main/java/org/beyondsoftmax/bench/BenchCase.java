package org.beyondsoftmax.bench;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * One op to benchmark: its name and how to build its scalar float32 objective (the forward pass)
 * from a graph's inputs; the backward pass is the gradient of that objective.
 */
public record BenchCase(String name, Objective objective) {

  /** Builds the scalar objective of one benchmark graph. */
  @FunctionalInterface
  public interface Objective {
    Operand<TFloat32> build(GraphInputs in);
  }
}
