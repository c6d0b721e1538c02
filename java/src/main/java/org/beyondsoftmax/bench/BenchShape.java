package org.beyondsoftmax.bench;

import java.util.List;

/**
 * A benchmark shape: float32 inputs of {@code dims}, the last axis the classes (or keys). Rank 2
 * [N examples, M classes] for the output-layer ops, rank 4 [B, H, Tq, Tk] for attention.
 */
public record BenchShape(List<Integer> dims) {

  public BenchShape {
    dims = List.copyOf(dims);
    if (dims.size() < 2) {
      throw new IllegalArgumentException("a shape needs >= 2 dimensions, got " + dims);
    }
    long size = 1;
    for (int d : dims) {
      if (d < 1) {
        throw new IllegalArgumentException("every dimension must be >= 1, got " + join(dims));
      }
      size *= d;
      if (size > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("a shape must have < 2^31 entries, got " + dims);
      }
    }
  }

  /** [rows, classes]. */
  public BenchShape(int rows, int classes) {
    this(List.of(rows, classes));
  }

  /** Parses {@code NxM}, e.g. {@code 2048x10000}. */
  public static BenchShape parse(String text) {
    return parse(text, "NxM (e.g. 2048x10000)");
  }

  /** Parses {@code BxHxTqxTk}, e.g. {@code 64x4x256x256}: attention scores. */
  public static BenchShape parseAttention(String text) {
    return parse(text, "BxHxTqxTk (e.g. 64x4x256x256)");
  }

  /** Parses as many integers joined by x as {@code form} has parts. */
  private static BenchShape parse(String text, String form) {
    int rank = form.split(" ")[0].split("x").length;
    String[] parts = text.trim().toLowerCase().split("x", -1);
    if (parts.length != rank) {
      throw new IllegalArgumentException("expected " + form + ", got '" + text + "'");
    }
    try {
      Integer[] dims = new Integer[rank];
      for (int i = 0; i < rank; i++) {
        dims[i] = Integer.parseInt(parts[i].trim());
      }
      return new BenchShape(List.of(dims));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected " + form + " with integers, got '" + text + "'");
    }
  }

  /** The number of rows: the product of all dimensions but the last. */
  public int rows() {
    int r = 1;
    for (int i = 0; i < dims.size() - 1; i++) {
      r *= dims.get(i);
    }
    return r;
  }

  /** The size of the last dimension (classes, or keys). */
  public int classes() {
    return dims.get(dims.size() - 1);
  }

  @Override
  public String toString() {
    return join(dims);
  }

  private static String join(List<Integer> dims) {
    return String.join("x", dims.stream().map(String::valueOf).toList());
  }
}
