package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;

/** Without a provider on the class path the ops are composite; portable scopes nest. */
class KernelsTest {
  @Test
  void noProviderInThisModule() {
    assertFalse(Kernels.nativeLoaded());
    assertEquals("no provider on the class path", Kernels.status());
    try (TestGraph g = new TestGraph()) {
      Mappings.logSigsoftmax(g.tf, g.input(new double[6], 2, 3));
      g.graph.operations().forEachRemaining(o -> assertFalse(o.type().startsWith("Beyond")));
    }
  }

  @Test
  void portableScopes() throws Exception {
    assertFalse(Kernels.isPortable());
    try (var outer = Kernels.portable()) {
      try (var inner = Kernels.portable()) {
        assertTrue(Kernels.isPortable());
      }
      assertTrue(Kernels.isPortable());
      outer.close();
      outer.close();
      assertFalse(Kernels.isPortable());
      var other = Kernels.portable();
      Thread t = new Thread(() -> assertThrows(IllegalStateException.class, other::close));
      t.start();
      t.join();
      other.close();
    }
    System.setProperty(Kernels.PROPERTY, "portable");
    try {
      assertTrue(Kernels.isPortable());
    } finally {
      System.clearProperty(Kernels.PROPERTY);
    }
    assertFalse(Kernels.isPortable());
  }
}
