package org.beyondsoftmax.cluster;

import org.tensorflow.DeviceSpec;

/**
 * One task of a cluster: a job ({@value ClusterSpec#PS} or {@value ClusterSpec#WORKER}) and its
 * index; written as TensorFlow names its device, {@code /job:ps/task:0}.
 */
public record Task(String job, int index) {
  public Task {
    if (!ClusterSpec.PS.equals(job) && !ClusterSpec.WORKER.equals(job)) {
      throw new IllegalArgumentException("job must be ps or worker, got '" + job + "'");
    }
    if (index < 0) {
      throw new IllegalArgumentException("task must be >= 0, got " + index);
    }
  }

  public static Task ps(int index) {
    return new Task(ClusterSpec.PS, index);
  }

  public static Task worker(int index) {
    return new Task(ClusterSpec.WORKER, index);
  }

  /**
   * The task of a device string as TensorFlow writes it ({@code /job:ps/task:1},
   * {@code /job:ps/replica:0/task:1/device:CPU:0}), or null when it names no job or no task.
   */
  public static Task ofDevice(String device) {
    String job = null;
    Integer index = null;
    for (String part : device.split("/")) {
      if (part.startsWith("job:")) {
        job = part.substring(4);
      } else if (part.startsWith("task:")) {
        try {
          index = Integer.parseInt(part.substring(5));
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return job != null && index != null && (ClusterSpec.PS.equals(job) || ClusterSpec.WORKER.equals(job))
        ? new Task(job, index) : null;
  }

  /** The task's device for {@code tf.withDevice}: its CPU, as the placer picks by default. */
  public DeviceSpec device() {
    return DeviceSpec.newBuilder().job(job).task(index).build();
  }

  /** {@code /job:ps/task:0}: the device string TensorFlow writes for ops on this task. */
  @Override
  public String toString() {
    return "/job:" + job + "/task:" + index;
  }
}
