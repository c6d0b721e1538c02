package org.beyondsoftmax.models.spec;

/**
 * The options of alpha-entmax's alpha as the entmax head and the entmax attention declare them:
 * {@code alpha} in (1, 2], fixed, or learned ({@code learn-alpha}) as 1 + sigmoid(a), which keeps
 * it in (1, 2), with a starting at {@link #raw}.
 */
public final class EntmaxAlpha {
  private EntmaxAlpha() {}

  /** {@code alpha}, default 1.5, in (1, 2]. */
  public static Option<Double> alpha(String description) {
    return Option.real("alpha", 1.5, v -> v > 1 && v <= 2, "in (1, 2]", description);
  }

  /** {@code learn-alpha}, default false. */
  public static Option<Boolean> learn(String description) {
    return Option.flag("learn-alpha", false, description);
  }

  /** {@code kind}, whose options include {@code alpha} and {@code learn}, refusing a learned alpha of 2. */
  public static <F> Kind<F> checked(Kind<F> kind, Option<Double> alpha, Option<Boolean> learn) {
    return kind.withCheck(s -> {
      if (s.get(learn) && s.get(alpha) >= 2) {
        throw new IllegalArgumentException("alpha must be in (1, 2) when learned, got " + s.get(alpha));
      }
    });
  }

  /** The a with 1 + sigmoid(a) = alpha, alpha in (1, 2): the initial value of a learned alpha. */
  public static double raw(double alpha) {
    return Math.log((alpha - 1) / (2 - alpha));
  }
}
