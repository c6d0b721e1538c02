package org.beyondsoftmax.args;

/**
 * Checks of the arguments of the experiments' settings and harnesses, with one message for each
 * kind of range, naming the argument (its option, where it comes from one) and the allowed range.
 */
public final class Arguments {
  private Arguments() {}

  /** Fails with "{@code name} must be >= {@code min}, got {@code value}" unless value &gt;= min. */
  public static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
  }
}
