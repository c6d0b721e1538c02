package org.beyondsoftmax.framework.activations;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.framework.MappingOutputs;
import org.tensorflow.Operand;
import org.tensorflow.framework.activations.AbstractActivation;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * A mapping from logits to probabilities along a class axis as a framework activation: checks the
 * input (floating, rank &gt;= 1: an {@link IllegalArgumentException} naming {@code input}), applies
 * the mapping of {@code org.beyondsoftmax.ops.Mappings} that the subclass names, and marks the
 * result as its probabilities ({@link MappingOutputs}). Its configuration map holds
 * {@code name}, {@code axis} and the subclass's parameters.
 */
public abstract class MappingActivation extends AbstractActivation {
  /** The default class axis: the last. */
  public static final int AXIS_DEFAULT = -1;
  /** The configuration key of the class axis. */
  public static final String AXIS = "axis";

  private final String name;
  private final boolean sparse;
  private final int axis;
  private final Map<String, Object> parameters;

  /**
   * An activation without parameters besides the axis.
   *
   * @param name the activation's name (as {@link BeyondActivations} knows it)
   * @param sparse whether its probabilities can be exactly 0
   * @param axis the class axis, negative counts from the end
   */
  protected MappingActivation(String name, boolean sparse, int axis) {
    this(name, sparse, axis, Map.of());
  }

  /**
   * @param name the activation's name (as {@link BeyondActivations} knows it)
   * @param sparse whether its probabilities can be exactly 0
   * @param axis the class axis, negative counts from the end
   * @param parameters the parameters besides the axis (checked), in the configuration map's order
   */
  protected MappingActivation(String name, boolean sparse, int axis, Map<String, Object> parameters) {
    this.name = name;
    this.sparse = sparse;
    this.axis = axis;
    this.parameters = parameters;
  }

  /** Reads a configuration map of the activation named {@code name} with parameters {@code keys}. */
  protected static Config read(Map<String, Object> config, String name, String... keys) {
    Set<String> allowed = new HashSet<>(Set.of(keys));
    allowed.add(AXIS);
    return Config.read(config, name, name, allowed);
  }

  /** The axis of a configuration map read by {@link #read} (default -1). */
  protected static int axis(Config config) {
    return config.integer(AXIS, AXIS_DEFAULT);
  }

  /** The name as the framework's activations have one ({@code sparsemax}, ...). */
  @Override
  public String getName() {
    return name;
  }

  /** The class axis (negative counts from the end). */
  public int getAxis() {
    return axis;
  }

  /** Whether the probabilities can be exactly 0. */
  public boolean isSparse() {
    return sparse;
  }

  /** The mapping along the class axis {@code axis}. */
  protected abstract <T extends TFloating> Operand<T> map(Ops tf, Operand<T> x, int axis);

  /** The parameters besides the axis, in the configuration map's order (as the constructor took them). */
  protected Map<String, Object> parameters() {
    return parameters;
  }

  /** {@code name}, {@code axis} and the parameters. */
  @Override
  public Map<String, Object> getConfig() {
    return Config.of(name, Map.of(AXIS, axis), parameters());
  }

  /**
   * The probabilities of {@code input} along the class axis.
   *
   * @param input logits of any floating dtype and rank &gt;= 1
   * @throws IllegalArgumentException if {@code input} is not floating or a scalar, or the axis is
   *     out of range for its rank
   */
  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <T extends TNumber> Operand<T> call(Ops tf, Operand<T> input) {
    Arguments.floating("input", input);
    Operand<T> p = (Operand<T>) map(tf, (Operand) input, axis);
    return MappingOutputs.mark(tf, p, getName(), isSparse());
  }

  @Override
  public String toString() {
    return getConfig().toString();
  }
}
