package org.beyondsoftmax.cli;

import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.spec.Spec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --head SPEC} once, at the edge, into a typed head spec; a bad one lists the heads. */
final class HeadSpecConverter implements ITypeConverter<Spec<HeadFactory>> {
  @Override
  public Spec<HeadFactory> convert(String value) {
    try {
      return Heads.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage() + "\nheads:\n" + Heads.help());
    }
  }
}
