package org.beyondsoftmax.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * Every ps task answers, yet TensorFlow says one was unavailable (alone, or joined with its
   * uninitialized value): the ps tasks are asked whether their variables are there, and the one
   * that restarted empty is named. (A worker's server keeps a channel to the ps task's old process
   * for a while: CI saw both forms.)
   */
  @Test
  void anUnavailablePsThatAnswersIsCheckedForLostVariables() throws IOException {
    try (ServerSocket ps0 = new ServerSocket(0); ServerSocket ps1 = new ServerSocket(0);
        ServerSocket worker = new ServerSocket(0)) {
      ClusterSpec cluster = ClusterSpec.of(List.of(address(ps0), address(ps1)), List.of(address(worker)));
      for (String message : List.of("From /job:worker/replica:0/task:0:\nfailed to connect to all addresses", SEVERAL)) {
        List<String> asked = new ArrayList<>();
        ClusterFailure f = ClusterFailure.diagnose(cluster, Task.worker(0), "step 3", new TensorFlowException(message),
            () -> {
              asked.add("asked");
              return List.of(Task.ps(1));
            });
        assertEquals(List.of("asked"), asked, message);
        assertTrue(f.getMessage().startsWith("step 3: the variables on " + Task.ps(1) + " at " + address(ps1)
            + " are uninitialized"), f.getMessage());
      }
      // another error is TensorFlow's own line, without asking
      ClusterFailure other = ClusterFailure.diagnose(cluster, Task.worker(0), "step 3",
          new TensorFlowException("Input to reshape is a tensor with 6 values"), () -> {
            throw new AssertionError("not asked");
          });
      assertEquals("step 3: Input to reshape is a tensor with 6 values", other.getMessage());
    }
  }

  private static String address(ServerSocket s) {
    return "127.0.0.1:" + s.getLocalPort();
  }

  @Test
  void unreachableTasksAreToldApartFromOtherErrors() {
    assertTrue(ClusterFailure.unavailable(new TensorFlowException(SEVERAL)));
    assertTrue(ClusterFailure.unavailable(new TensorFlowException("failed to connect to all addresses")));
    assertFalse(ClusterFailure.unavailable(new TensorFlowException("Attempting to use uninitialized value w")));
  }
}
