package org.beyondsoftmax.models.lm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.models.io.AtomicFiles;

/**
 * The layout of a language model's directory, the {@code --out DIR} of training and the
 * {@code --model DIR} of evaluation and serving, in one place:
 *
 * <pre>
 *   DIR/saved_model.pb, DIR/variables/   the SavedModel (TensorFlow's own ops only)
 *   DIR/model.json                        what the model is and how it was trained
 *   DIR/vocab.txt                         its words, one per id
 *   DIR/settings.json                     the settings a training run started with
 *   DIR/checkpoints/                      the training run's checkpoints
 * </pre>
 *
 * A new SavedModel replaces the old one by renames only ({@link #installSavedModel}), so a reader
 * sees the old model or the new one.
 */
public final class ModelDirectory {
  public static final String SAVED_MODEL = "saved_model.pb";
  public static final String VARIABLES = "variables";
  public static final String MODEL_INFO = "model.json";
  public static final String VOCABULARY = "vocab.txt";
  public static final String SETTINGS = "settings.json";
  public static final String CHECKPOINTS = "checkpoints";

  private final Path dir;

  public ModelDirectory(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public Path savedModel() {
    return dir.resolve(SAVED_MODEL);
  }

  public Path modelInfo() {
    return dir.resolve(MODEL_INFO);
  }

  public Path vocabulary() {
    return dir.resolve(VOCABULARY);
  }

  public Path settings() {
    return dir.resolve(SETTINGS);
  }

  public Path checkpoints() {
    return dir.resolve(CHECKPOINTS);
  }

  /** Whether the directory holds a SavedModel. */
  public boolean hasSavedModel() {
    return Files.isRegularFile(savedModel());
  }

  /** A fresh staging directory inside this one for a SavedModel to {@link #installSavedModel}. */
  public Path newStaging() throws IOException {
    Path tmp = dir.resolve(".export-tmp");
    AtomicFiles.deleteTree(tmp);
    Files.createDirectories(dir);
    return tmp;
  }

  /**
   * Moves the SavedModel exported to {@code staging} into this directory, by renames only: the
   * old variables leave and the new ones arrive whole (a directory cannot be renamed over a full
   * one), then the graph replaces the old graph.
   */
  public void installSavedModel(Path staging) throws IOException {
    AtomicFiles.syncTree(staging);
    Path old = dir.resolve(".variables-old");
    AtomicFiles.deleteTree(old);
    Path variables = dir.resolve(VARIABLES);
    if (Files.exists(variables)) {
      AtomicFiles.move(variables, old);
    }
    AtomicFiles.move(staging.resolve(VARIABLES), variables);
    AtomicFiles.move(staging.resolve(SAVED_MODEL), savedModel());
    AtomicFiles.deleteTree(old);
    AtomicFiles.deleteTree(staging);
  }
}
