package org.beyondsoftmax.cli;

import org.beyondsoftmax.models.spec.Registry;
import org.beyondsoftmax.models.spec.Spec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses an option's spec text once, at the edge, into a typed spec of one registry; a bad one
 * says what is wrong (its first line) and lists the registry's kinds with their options.
 */
abstract class SpecConverter<F> implements ITypeConverter<Spec<F>> {
  private final Registry<F> registry;
  private final String kinds;

  /** @param kinds the kinds' name in the listing, plural: "heads" */
  SpecConverter(Registry<F> registry, String kinds) {
    this.registry = registry;
    this.kinds = kinds;
  }

  @Override
  public Spec<F> convert(String value) {
    try {
      return registry.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage() + "\n" + kinds + ":\n" + registry.help());
    }
  }
}
