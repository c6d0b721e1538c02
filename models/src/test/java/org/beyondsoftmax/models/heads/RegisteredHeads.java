package org.beyondsoftmax.models.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Ties a head test's cases to the registry: the cases must name every registered head, so a head
 * registered without a case fails the build.
 */
final class RegisteredHeads {
  private RegisteredHeads() {}

  /** Fails unless the specs in the first argument of {@code cases} cover every registered head. */
  static void assertEveryHeadHasACase(String test, Stream<Arguments> cases) {
    Set<String> covered = new TreeSet<>();
    cases.forEach(a -> covered.add(Heads.parse((String) a.get()[0]).name()));
    assertEquals(new TreeSet<>(Heads.names()), covered,
        test + " must have a case for every registered head (and none for unregistered ones)");
  }
}
