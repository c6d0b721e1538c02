package org.beyondsoftmax.train;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.io.AtomicFiles;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ModelDirectory;

/**
 * The checkpoints of a run, in {@code OUT/checkpoints}: one directory per checkpoint with every
 * variable ({@code variables.*}: weights, optimizer moments, learning rate, update count), the
 * {@link TrainState} ({@code state.json}) and, mid-epoch, the LSTM state carried to the next batch
 * ({@code carried.bin}; for a Transformer, which has no state, it holds no arrays); and
 * {@code latest.json}, naming the newest complete one.
 *
 * <p>A checkpoint is written to a temporary directory, forced to disk, renamed into place, and
 * only then named by {@code latest.json} (itself replaced atomically): a run killed at any moment
 * (kill -9 included) resumes from the last checkpoint whole. The latest and the best checkpoint
 * are kept, older ones deleted.
 */
final class Checkpoints {
  static final String LATEST = "latest.json";
  private static final String STATE = "state.json";
  private static final String CARRIED = "carried.bin";
  private static final String VARIABLES = "variables";

  /** The content of {@code latest.json}. */
  record Latest(String checkpoint) {}

  /** A checkpoint read back: its directory name, state and carried LSTM state (null at an epoch's start). */
  record Loaded(String name, TrainState state, float[][] carried) {}

  private final Path dir;

  Checkpoints(ModelDirectory out) {
    this.dir = out.checkpoints();
  }

  boolean exists() {
    return Files.isRegularFile(dir.resolve(LATEST));
  }

  /** The variables prefix of checkpoint {@code name}, for {@link LanguageModelSession#restore}. */
  Path variables(String name) {
    return dir.resolve(name).resolve(VARIABLES);
  }

  /** The newest checkpoint, if any. */
  Optional<Loaded> latest() throws IOException {
    if (!exists()) {
      return Optional.empty();
    }
    String name = Json.read(dir.resolve(LATEST), Latest.class).checkpoint();
    Path d = dir.resolve(name);
    TrainState state = Json.read(d.resolve(STATE), TrainState.class);
    float[][] carried = Files.exists(d.resolve(CARRIED)) ? readCarried(d.resolve(CARRIED)) : null;
    return Optional.of(new Loaded(name, state, carried));
  }

  /** Writes a checkpoint of {@code session} at {@code state}; returns its name. */
  String write(LanguageModelSession session, TrainState state, float[][] carried) throws IOException {
    String name = nameOf(state.steps(), state.epoch(), state.batchInEpoch());
    Files.createDirectories(dir);
    Path target = dir.resolve(name);
    if (!Files.exists(target)) {
      Path tmp = Files.createTempDirectory(dir, ".tmp-");
      try {
        session.save(tmp.resolve(VARIABLES));
        Files.write(tmp.resolve(STATE), Json.MAPPER.writeValueAsBytes(state));
        if (carried != null) {
          Files.write(tmp.resolve(CARRIED), carriedBytes(carried));
        }
        AtomicFiles.syncTree(tmp);
        AtomicFiles.move(tmp, target);
      } finally {
        AtomicFiles.deleteTree(tmp);
      }
    }
    Json.write(dir.resolve(LATEST), new Latest(name));
    clean(name, state.bestCheckpoint());
    return name;
  }

  /** The name of the checkpoint taken after {@code steps} updates, before batch {@code batch} of {@code epoch}. */
  static String nameOf(long steps, int epoch, int batch) {
    return String.format("ckpt-%09d-e%03d-b%06d", steps, epoch, batch);
  }

  /** Deletes every checkpoint but {@code keep} and {@code best}, and leftovers of interrupted writes. */
  private void clean(String keep, String best) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (Files.isDirectory(p) && !n.equals(keep) && !n.equals(best)
            && (n.startsWith("ckpt-") || n.startsWith(".tmp-"))) {
          AtomicFiles.deleteTree(p);
        }
      }
    }
  }

  private static byte[] carriedBytes(float[][] carried) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(b)) {
      out.writeInt(carried.length);
      for (float[] a : carried) {
        out.writeInt(a.length);
        for (float x : a) {
          out.writeFloat(x);
        }
      }
    }
    return b.toByteArray();
  }

  private static float[][] readCarried(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
      float[][] out = new float[in.readInt()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new float[in.readInt()];
        for (int j = 0; j < out[i].length; j++) {
          out[i][j] = in.readFloat();
        }
      }
      return out;
    }
  }
}
