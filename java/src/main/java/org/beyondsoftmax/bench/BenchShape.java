package org.beyondsoftmax.bench;

import java.util.List;

/** A benchmark shape: float32 logits of {@code rows} examples by {@code classes} classes. */
public record BenchShape(int rows, int classes) {

  public BenchShape {
    if (rows < 1 || classes < 1) {
      throw new IllegalArgumentException(
          "rows and classes must be >= 1, got " + rows + "x" + classes);
    }
    if ((long) rows * classes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "rows x classes must be < 2^31 entries, got " + rows + "x" + classes);
    }
  }

  /** Parses {@code NxM}, e.g. {@code 2048x10000}. */
  public static BenchShape parse(String text) {
    String[] parts = text.trim().toLowerCase().split("x", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("expected NxM (e.g. 2048x10000), got '" + text + "'");
    }
    try {
      return new BenchShape(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "expected NxM with integers N, M (e.g. 2048x10000), got '" + text + "'");
    }
  }

  /** [rows, classes]. */
  public List<Integer> dims() {
    return List.of(rows, classes);
  }

  @Override
  public String toString() {
    return rows + "x" + classes;
  }
}
