package org.beyondsoftmax.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.beyondsoftmax.args.Arguments;

/**
 * The timing harness for the ops of one shape (or the language-model steps of one size): warm-up
 * runs of each step, then rounds that each run every step once in a seeded shuffled order, so that slow drift (clocks, caches, other load) is
 * spread over all ops alike instead of biasing whichever op ran last. An op that throws is
 * reported and dropped from the remaining runs; the others go on.
 */
public final class InterleavedRunner {
  private final int warmup;
  private final int rounds;
  private final long seed;
  private final PrintWriter progress;

  /** Step times in ms per op ({@code rounds} of them), and the error of each op that failed. */
  public record Outcome(Map<String, double[]> millis, Map<String, String> errors) {}

  public InterleavedRunner(int warmup, int rounds, long seed, PrintWriter progress) {
    Arguments.atLeast("warmup", warmup, 0);
    Arguments.atLeast("rounds", rounds, 1);
    this.warmup = warmup;
    this.rounds = rounds;
    this.seed = seed;
    this.progress = progress;
  }

  public Outcome run(List<? extends TimedStep> ops) {
    Map<String, String> errors = new LinkedHashMap<>();
    List<TimedStep> live = new ArrayList<>();
    for (TimedStep op : ops) {
      progress.printf("warming up %s [%s]...%n", op.name(), op.setting());
      progress.flush();
      boolean ok = true;
      for (int i = 0; i < warmup && ok; i++) {
        ok = step(op, errors).isPresent();
      }
      if (ok) {
        live.add(op);
      }
    }
    Map<String, double[]> millis = new LinkedHashMap<>();
    live.forEach(op -> millis.put(op.name(), new double[rounds]));
    Random random = new Random(seed);
    for (int round = 0; round < rounds && !live.isEmpty(); round++) {
      List<TimedStep> order = new ArrayList<>(live);
      Collections.shuffle(order, random);
      progress.printf("round %d/%d [%s]: %d ops%n", round + 1, rounds, order.get(0).setting(),
          order.size());
      progress.flush();
      for (TimedStep op : order) {
        OptionalDouble ms = step(op, errors);
        if (ms.isPresent()) {
          millis.get(op.name())[round] = ms.getAsDouble();
        } else {
          live.remove(op);
          millis.remove(op.name());
        }
      }
    }
    return new Outcome(millis, errors);
  }

  /** One timed step of {@code op}; empty (and the error recorded and printed) when it fails. */
  private OptionalDouble step(TimedStep op, Map<String, String> errors) {
    try {
      return OptionalDouble.of(op.timeStepMillis());
    } catch (RuntimeException | OutOfMemoryError e) {
      String message = describe(e);
      errors.put(op.name(), message);
      progress.printf("error: %s [%s] failed: %s%n", op.name(), op.setting(), message);
      progress.flush();
      return OptionalDouble.empty();
    }
  }

  /** The exception's class and message, for reports. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getName() + (message == null ? "" : ": " + message.strip());
  }
}
