package org.beyondsoftmax.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ServerDef;

/** Parsing, checking and converting cluster specs; each error names the part at fault. */
class ClusterSpecTest {
  @Test
  void parsesJobsTasksAndAddresses() {
    ClusterSpec c = ClusterSpec.parse(" worker = h3:2222 ; ps=h1:2222,h2:2223");
    assertEquals(List.of("h1:2222", "h2:2223"), c.addresses(ClusterSpec.PS));
    assertEquals(List.of("h3:2222"), c.addresses(ClusterSpec.WORKER));
    assertEquals("h2:2223", c.address(Task.ps(1)));
    assertEquals(2223, c.port(Task.ps(1)));
    assertEquals("grpc://h3:2222", c.target(Task.worker(0)));
    assertEquals(List.of(Task.ps(0), Task.ps(1), Task.worker(0)), c.tasks());
    assertEquals("ps=h1:2222,h2:2223;worker=h3:2222", c.toString());
    assertEquals(c, ClusterSpec.parse(c.toString()));
    assertEquals(2222, ClusterSpec.parse("ps=[::1]:2222;worker=localhost:2223").port(Task.ps(0)));
  }

  @Test
  void becomesTensorFlowsClusterAndServerDefs() {
    ClusterSpec c = ClusterSpec.parse("ps=h1:2222,h2:2223;worker=h3:2222");
    ClusterDef def = c.toClusterDef();
    assertEquals(2, def.getJobCount());
    assertEquals("ps", def.getJob(0).getName());
    assertEquals("h2:2223", def.getJob(0).getTasksMap().get(1));
    assertEquals("worker", def.getJob(1).getName());
    assertEquals("h3:2222", def.getJob(1).getTasksMap().get(0));
    ServerDef server = c.serverDef(Task.ps(1));
    assertEquals("ps", server.getJobName());
    assertEquals(1, server.getTaskIndex());
    assertEquals("grpc", server.getProtocol());
    assertEquals(def, server.getCluster());
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "''|cluster spec is empty",
      "ps|cluster spec: 'ps' is not JOB=HOST:PORT",
      "ps=h1:2222;chief=h2:2222|cluster spec: unknown job 'chief' in 'chief=h2:2222' (jobs are ps and worker)",
      "ps=h1:2222;ps=h2:2222;worker=h3:2222|cluster spec: job ps is given twice",
      "ps=h1;worker=h3:2222|cluster spec: 'h1' (/job:ps/task:0) is not HOST:PORT",
      "ps=h1:2222,;worker=h3:2222|cluster spec: '' (/job:ps/task:1) is not HOST:PORT",
      "ps=h1:22x2;worker=h3:2222|cluster spec: 'h1:22x2' (/job:ps/task:0) is not HOST:PORT",
      "ps=h1:2222,h2:70000;worker=h3:2222|cluster spec: port 70000 of /job:ps/task:1 (h2:70000) is outside 1..65535",
      "ps=h1:2222;worker=h3:0|cluster spec: port 0 of /job:worker/task:0 (h3:0) is outside 1..65535",
      "ps=h1:2222;worker=h3:2222,H1:2222|cluster spec: address H1:2222 is given to both /job:ps/task:0 and /job:worker/task:1",
      "ps=h1:2222|cluster spec: no worker job",
      "worker=h1:2222|cluster spec: no ps job"})
  void errorsNameThePartAtFault(String spec, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSpec.parse(spec));
    assertEquals(true, e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void tasksOutsideTheirJobAreNamed() {
    ClusterSpec c = ClusterSpec.parse("ps=h1:2222;worker=h3:2222,h4:2222");
    assertEquals("task 3 is outside job worker (tasks 0..1)",
        assertThrows(IllegalArgumentException.class, () -> c.task("worker", 3)).getMessage());
    assertEquals("task -1 is outside job ps (tasks 0..0)",
        assertThrows(IllegalArgumentException.class, () -> c.task("ps", -1)).getMessage());
    assertEquals("task 1 is outside job ps (tasks 0..0)",
        assertThrows(IllegalArgumentException.class, () -> c.serverDef(Task.ps(1))).getMessage());
  }

  @Test
  void devicesNameTheirTask() {
    assertEquals(Task.ps(1), Task.ofDevice("/job:ps/task:1"));
    assertEquals(Task.ps(3), Task.ofDevice("/job:ps/replica:0/task:3/device:CPU:0"));
    assertEquals(Task.worker(0), Task.ofDevice(Task.worker(0).toString()));
    assertNull(Task.ofDevice(""));
    assertNull(Task.ofDevice("/device:CPU:0"));
    assertNull(Task.ofDevice("/job:localhost/replica:0/task:0/device:CPU:0"));
  }
}
