package org.beyondsoftmax.savedmodel;

import java.util.Optional;
import org.tensorflow.proto.DataType;

/** The tensor dtypes read from and written to JSON (serving, calibration data): numbers and booleans. */
public enum ValueType {
  INT32(DataType.DT_INT32),
  INT64(DataType.DT_INT64),
  FLOAT(DataType.DT_FLOAT),
  DOUBLE(DataType.DT_DOUBLE),
  BOOL(DataType.DT_BOOL);

  final DataType dataType;

  ValueType(DataType dataType) {
    this.dataType = dataType;
  }

  /** The value type of a signature tensor's dtype, or empty where JSON has no such values. */
  public static Optional<ValueType> of(DataType dataType) {
    for (ValueType v : values()) {
      if (v.dataType == dataType) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** The dtype as TensorFlow Serving's metadata spells it, e.g. {@code DT_INT32}. */
  public String tfName() {
    return dataType.name();
  }
}
