package org.beyondsoftmax.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The atomic writer: whole files, nothing left behind on failure, writers that close their stream. */
class AtomicFilesTest {

  private static List<String> names(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesAndReplacesWholeFiles(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("sub/a.json");
    AtomicFiles.write(f, "first".getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(f, out -> {
      out.write("second".getBytes(StandardCharsets.UTF_8));
      out.close(); // writers such as Jackson close the stream they are given
    });
    assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f));
    assertEquals(List.of("a.json"), names(f.getParent()), "no temporary file is left");
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporaryFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("b.txt");
    AtomicFiles.write(f, "old".getBytes(StandardCharsets.UTF_8));
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
      out.write("half".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(f));
    assertEquals(List.of("b.txt"), names(dir));
  }

  @Test
  void movesAndDeletesTrees(@TempDir Path dir) throws IOException {
    Path tree = dir.resolve("t");
    AtomicFiles.write(tree.resolve("x/y.bin"), new byte[] {1, 2, 3});
    AtomicFiles.syncTree(tree);
    AtomicFiles.move(tree, dir.resolve("u"));
    assertTrue(Files.exists(dir.resolve("u/x/y.bin")));
    AtomicFiles.deleteTree(dir.resolve("u"));
    assertFalse(Files.exists(dir.resolve("u")));
    AtomicFiles.deleteTree(dir.resolve("never-there"));
  }
}
