package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.train.ModelInfo;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A trained model directory and a split of a corpus in the model's word ids, as {@code eval} and
 * {@code diagnose} read them: the corpus defaults to the model's own; a corpus whose vocabulary
 * differs is mapped through the model's {@code vocab.txt} (unknown words to {@code <unk>}).
 *
 * @param stream the split's tokens as the model's ids
 * @param remapped whether the corpus's vocabulary differed from the model's
 */
record ModelSplit(ModelInfo info, Vocabulary vocabulary, String corpus, Corpus loaded, int[] stream,
    boolean remapped) {

  /** Reads {@code --model model}, {@code --corpus corpus} (null: the model's) and {@code --split split}. */
  static ModelSplit load(CommandLine cl, Path model, String corpus, CorpusCache cache, String split,
      PrintWriter err) throws IOException {
    Path infoFile = model.resolve(ModelDirectory.MODEL_INFO);
    if (!Files.isRegularFile(infoFile)) {
      throw new ParameterException(cl, "--model " + model + ": no " + ModelDirectory.MODEL_INFO
          + " there (a directory written by 'beyond train')");
    }
    ModelInfo info = Json.read(infoFile, ModelInfo.class);
    Vocabulary vocabulary = Vocabulary.read(model.resolve(ModelDirectory.VOCABULARY));
    String corpusSpec = corpus != null ? corpus : info.corpus();
    Corpus c = cache.load(corpusSpec, info.settings().minCount(), err);
    boolean remapped = !c.vocabulary().fingerprint().equals(info.vocabularyFingerprint());
    if (remapped) {
      err.println("the corpus's vocabulary differs from the model's: words are mapped through the model's "
          + ModelDirectory.VOCABULARY + " (unknown words to " + Vocabulary.UNK + ")");
    }
    return new ModelSplit(info, vocabulary, corpusSpec, c, split(cl, c, split, vocabulary, remapped), remapped);
  }

  /** This corpus's split {@code name} in the model's word ids. */
  int[] split(CommandLine cl, String name) {
    return split(cl, loaded, name, vocabulary, remapped);
  }

  private static int[] split(CommandLine cl, Corpus c, String name, Vocabulary vocabulary, boolean remapped) {
    int[] stream;
    try {
      stream = c.split(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, "--split: " + e.getMessage());
    }
    if (remapped) {
      int[] mapped = new int[stream.length];
      for (int i = 0; i < mapped.length; i++) {
        mapped[i] = vocabulary.id(c.vocabulary().word(stream[i]));
      }
      stream = mapped;
    }
    return stream;
  }
}
