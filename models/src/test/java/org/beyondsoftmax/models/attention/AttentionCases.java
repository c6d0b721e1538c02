package org.beyondsoftmax.models.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The normalisers the attention tests run, tied to the registry: the cases must name every
 * registered normaliser, so a normaliser registered without a case fails the build.
 */
public final class AttentionCases {
  private AttentionCases() {}

  /** Every normaliser, constant and learned per-head values, and its variables' size for H = 2. */
  public static Stream<Arguments> normalisers() {
    return Stream.of(
        Arguments.of("softmax", 0),
        Arguments.of("sparsemax", 0),
        Arguments.of("entmax", 0),
        Arguments.of("entmax:alpha=1.3", 0),
        Arguments.of("entmax:alpha=1.3,learn-alpha=true", 2),
        Arguments.of("ssmax", 0),
        Arguments.of("ssmax:s=2,learn-s=true", 2),
        Arguments.of("softpick", 0),
        Arguments.of("sigmoid", 0));
  }

  /** Fails unless the specs in the first argument of {@code cases} cover every registered normaliser. */
  static void assertEveryNormaliserHasACase(String test, Stream<Arguments> cases) {
    Set<String> covered = new TreeSet<>();
    cases.forEach(a -> covered.add(Normalisers.parse((String) a.get()[0]).name()));
    assertEquals(new TreeSet<>(Normalisers.REGISTRY.names()), covered,
        test + " must have a case for every registered attention normaliser (and none for unregistered ones)");
  }
}
