package org.beyondsoftmax.cli;

import org.beyondsoftmax.bench.BenchShape;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts an {@code NxM} option value to a {@link BenchShape}. */
public final class ShapeConverter implements ITypeConverter<BenchShape> {
  @Override
  public BenchShape convert(String value) {
    try {
      return BenchShape.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
