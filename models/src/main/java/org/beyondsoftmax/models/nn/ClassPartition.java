package org.beyondsoftmax.models.nn;

import java.util.List;
import org.tensorflow.DeviceSpec;

/**
 * How the rows of a class-sized table (class embeddings, biases, an input embedding) are split by
 * class range over devices, the "div" strategy of TensorFlow's partitioned variables: shard p of P
 * holds the classes [o_p, o_p + V_p), V_p = floor(V / P), one more for the first V mod P shards.
 *
 * @param classes V
 * @param devices one device per shard, in class order (e.g. the parameter servers)
 */
public record ClassPartition(int classes, List<DeviceSpec> devices) {
  public ClassPartition {
    devices = List.copyOf(devices);
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("devices must name at least one device, got none");
    }
    if (classes < devices.size()) {
      throw new IllegalArgumentException(
          "classes must be >= the number of shards (" + devices.size() + "), got " + classes);
    }
  }

  public int shards() {
    return devices.size();
  }

  /** o_p, the first class of shard p. */
  public long offset(int p) {
    int base = classes / shards();
    int extra = classes % shards();
    return (long) p * base + Math.min(p, extra);
  }

  /** V_p, the number of classes of shard p. */
  public long size(int p) {
    return classes / shards() + (p < classes % shards() ? 1 : 0);
  }

  public DeviceSpec device(int p) {
    return devices.get(p);
  }
}
