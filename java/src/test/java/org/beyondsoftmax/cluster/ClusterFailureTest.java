package org.beyondsoftmax.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.exceptions.TensorFlowException;

/** How TensorFlow's errors of a failed cluster run are told in one line. */
class ClusterFailureTest {
  /** A run that failed in several places: TensorFlow joins the statuses between rules of '='. */
  private static final String SEVERAL = """

      =====================
      UNAVAILABLE: From /job:worker/replica:0/task:0:
      failed to connect to all addresses
      Additional GRPC error information from remote target /job:ps/replica:0/task:1 while calling /tensorflow.WorkerService/RecvTensor:
      	 [[{{node pslost/sync/ps_1/Assign_2_S36}}]]
      FAILED_PRECONDITION: From /job:ps/replica:0/task:1:
      Attempting to use uninitialized value pslost/sync/ps_1/tag_w0
      	 [[{{node pslost/sync/ps_1/Identity}}]]
      =====================
      """;

  @Test
  void severalStatusesAreToldByTheFirstOneAndWhereItCameFrom() {
    assertEquals("UNAVAILABLE: From /job:worker/replica:0/task:0: failed to connect to all addresses",
        ClusterFailure.firstLine(new TensorFlowException(SEVERAL)));
  }

  @Test
  void oneStatusIsItsFirstLine() {
    assertEquals("Attempting to use uninitialized value w",
        ClusterFailure.firstLine(new TensorFlowException("Attempting to use uninitialized value w\n\t [[{{node w/read}}]]")));
    assertEquals("TensorFlowException", ClusterFailure.firstLine(new TensorFlowException("\n====\n")));
  }

  @Test
  void unreachableTasksAreToldApartFromOtherErrors() {
    assertTrue(ClusterFailure.unavailable(new TensorFlowException(SEVERAL)));
    assertTrue(ClusterFailure.unavailable(new TensorFlowException("failed to connect to all addresses")));
    assertFalse(ClusterFailure.unavailable(new TensorFlowException("Attempting to use uninitialized value w")));
  }
}
