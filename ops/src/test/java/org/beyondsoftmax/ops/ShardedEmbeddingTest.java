package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The sharded embedding lookup: the sum of the shards' rows is the row of the whole table, its
 * gradient in every shard's table matches finite differences in float64 (ids repeated, ids of
 * other shards), the gradient is made on the shard's device, and bad operands name themselves.
 */
class ShardedEmbeddingTest {
  private static final int E = 3;
  private static final int[] SPLIT = {4, 1, 3};
  private static final int[] IDS = {0, 7, 4, 3, 7, 5, 0};

  private static List<Operand<TFloat64>> tables(TestGraph g, Random r) {
    List<Operand<TFloat64>> tables = new ArrayList<>();
    for (int size : SPLIT) {
      double[] t = RandomValues.gaussian(r, size * E, 1);
      tables.add(g.input(t, size, E));
    }
    return tables;
  }

  private static Operand<TFloat64> lookup(Ops tf, List<Operand<TFloat64>> tables, Operand<TInt32> ids) {
    List<Operand<TFloat64>> parts = new ArrayList<>();
    int offset = 0;
    for (int p = 0; p < SPLIT.length; p++) {
      parts.add(ShardedEmbedding.lookupShard(tf, tables.get(p), ids, offset));
      offset += SPLIT[p];
    }
    return tf.math.addN(parts);
  }

  @Test
  void theShardsSumToTheRowsOfTheWholeTableAndTheirGradientsMatchFiniteDifferences() {
    try (TestGraph g = new TestGraph()) {
      Random r = new Random(7);
      List<Operand<TFloat64>> tables = tables(g, r);
      Operand<TFloat64> x = lookup(g.tf, tables, g.labels(IDS, IDS.length));
      double[] expected = new double[IDS.length * E];
      for (int n = 0; n < IDS.length; n++) {
        int id = IDS[n];
        int p = 0;
        while (id >= SPLIT[p]) {
          id -= SPLIT[p++];
        }
        System.arraycopy(g.value(tables.get(p)), id * E, expected, n * E, E);
      }
      TestGraph.assertClose("rows", expected, g.run(x), 0, 0);
      double[] up = RandomValues.gaussian(r, IDS.length * E, 1);
      g.assertGradients(g.objective(x, g.input(up, IDS.length, E)), tables, List.of("dE0", "dE1", "dE2"),
          1e-6, 1e-8, 1e-6);
    }
  }

  @Test
  void theTablesGradientIsMadeOnTheShardsDevice() {
    try (TestGraph g = new TestGraph()) {
      List<Operand<TFloat64>> tables = new ArrayList<>();
      for (int p = 0; p < SPLIT.length; p++) {
        Ops ps = g.tf.withDevice(DeviceSpec.newBuilder().job("ps").task(p).build());
        tables.add(ps.identity(tables(g, new Random(p)).get(p)));
      }
      List<Operand<TFloat64>> parts = new ArrayList<>();
      Operand<TInt32> ids = g.labels(IDS, IDS.length);
      int offset = 0;
      for (int p = 0; p < SPLIT.length; p++) {
        Ops ps = g.tf.withDevice(DeviceSpec.newBuilder().job("ps").task(p).build());
        parts.add(ShardedEmbedding.lookupShard(ps, tables.get(p), ids, offset));
        offset += SPLIT[p];
      }
      Ops worker = g.tf.withDevice(DeviceSpec.newBuilder().job("worker").task(0).build());
      Operand<TFloat64> loss = worker.reduceSum(worker.math.square(worker.math.addN(parts)), worker.constant(new int[] {0, 1}));
      List<Operand<?>> grads = g.grads(loss, tables);
      for (int p = 0; p < SPLIT.length; p++) {
        assertEquals("/job:ps/task:" + p, ((GraphOperation) grads.get(p).op()).device(), "device of dE" + p);
        assertEquals("UnsortedSegmentSum", grads.get(p).op().type());
      }
    }
  }

  @Test
  void badOperandsNameTheParameter() {
    try (TestGraph g = new TestGraph()) {
      Operand<TInt32> ids = g.labels(IDS, IDS.length);
      Operand<TFloat64> table = g.input(new double[4 * E], 4, E);
      assertMessage("table must have shape [rows, E]",
          () -> ShardedEmbedding.lookupShard(g.tf, g.input(new double[4], 4), ids, 0));
      assertMessage("ids must have rank 1",
          () -> ShardedEmbedding.lookupShard(g.tf, table, g.labels(new int[] {1, 2}, 1, 2), 0));
      assertMessage("ids must be an integer tensor", () -> ShardedEmbedding.lookupShard(g.tf, table, table, 0));
      assertMessage("offset must be in [0, ", () -> ShardedEmbedding.lookupShard(g.tf, table, ids, -2));
    }
  }

  private static void assertMessage(String start, Runnable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }
}
