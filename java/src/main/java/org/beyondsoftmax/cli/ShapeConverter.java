package org.beyondsoftmax.cli;

import java.util.function.Function;
import org.beyondsoftmax.bench.BenchShape;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts an {@code NxM} option value to a {@link BenchShape}. */
public class ShapeConverter implements ITypeConverter<BenchShape> {
  private final Function<String, BenchShape> parse;

  public ShapeConverter() {
    this(BenchShape::parse);
  }

  private ShapeConverter(Function<String, BenchShape> parse) {
    this.parse = parse;
  }

  @Override
  public BenchShape convert(String value) {
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /** Converts a {@code BxHxTqxTk} option value to an attention {@link BenchShape}. */
  public static final class Attention extends ShapeConverter {
    public Attention() {
      super(BenchShape::parseAttention);
    }
  }
}
