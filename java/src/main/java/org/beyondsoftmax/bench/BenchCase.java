package org.beyondsoftmax.bench;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * One op to benchmark: its name, how to build its scalar float32 objective (the forward pass)
 * from a graph's inputs, and whether it is built with the fused CPU kernels of
 * beyond-softmax-native ({@code fused}) or, inside {@code Kernels.portable()}, with the composite
 * graph ops; the backward pass is the gradient of that objective.
 */
public record BenchCase(String name, Objective objective, boolean fused) {

  /** A case built from the composite graph ops. */
  public BenchCase(String name, Objective objective) {
    this(name, objective, false);
  }

  /** A case built with the fused CPU kernels (it fails when they are not loaded). */
  public static BenchCase fused(String name, Objective objective) {
    return new BenchCase(name, objective, true);
  }

  /** Builds the scalar objective of one benchmark graph. */
  @FunctionalInterface
  public interface Objective {
    Operand<TFloat32> build(GraphInputs in);
  }
}
