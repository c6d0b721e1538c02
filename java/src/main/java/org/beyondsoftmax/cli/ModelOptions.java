package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read a trained model on a corpus split (eval, diagnose):
 * {@code --model DIR} ({@link TrainedModel}), {@code --corpus brown|DIR} (default: the model's own), {@code --split}
 * and, through {@link CorpusCache}, {@code --cache-dir DIR}. Each command sets its own default
 * split by constructing the mixin ({@code @Mixin ModelOptions model = new ModelOptions("test")}).
 */
final class ModelOptions {
  @Mixin
  TrainedModel model;

  @Option(names = "--corpus", paramLabel = "brown|DIR", description = "default: the corpus the model was trained on")
  String corpus;

  @Mixin
  CorpusCache cache;

  @Option(names = "--split", description = "train, valid or test (default: ${DEFAULT-VALUE})")
  String split;

  /** @param split the split read when {@code --split} is not given */
  ModelOptions(String split) {
    this.split = split;
  }

  /** Reads the model directory and the split these options name ({@link ModelSplit#load}). */
  ModelSplit load(CommandLine cl, PrintWriter err) throws IOException {
    return ModelSplit.load(cl, model.dir, corpus, cache, split, err);
  }
}
