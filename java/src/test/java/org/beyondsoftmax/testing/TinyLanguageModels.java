package org.beyondsoftmax.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.beyondsoftmax.corpus.TextCorpus;
import org.beyondsoftmax.models.attention.Normalisers;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.train.TrainListener;
import org.beyondsoftmax.train.TrainSettings;
import org.beyondsoftmax.train.Trainer;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Language models small enough to train in seconds: a toy-grammar corpus and tiny settings. */
public final class TinyLanguageModels {
  private TinyLanguageModels() {}

  /** train/valid/test.txt of sentences from a toy grammar (about 30 words) in {@code dir}. */
  public static Path corpus(Path dir) throws IOException {
    return corpus(dir, 300, 40);
  }

  /** {@link #corpus(Path)} with {@code trainLines} sentences of training text and {@code otherLines} of valid and test. */
  public static Path corpus(Path dir, int trainLines, int otherLines) throws IOException {
    Files.createDirectories(dir);
    String[] subjects = {"the cat", "a dog", "the bird", "my friend", "the old man"};
    String[] verbs = {"sees", "likes", "chases", "finds"};
    String[] objects = {"the ball", "a fish", "the house", "some bread", "the river"};
    SplittableRandom r = new SplittableRandom(5);
    for (String split : List.of("train", "valid", "test")) {
      StringBuilder b = new StringBuilder();
      int lines = split.equals("train") ? trainLines : otherLines;
      for (int i = 0; i < lines; i++) {
        b.append(subjects[r.nextInt(subjects.length)]).append(' ').append(verbs[r.nextInt(verbs.length)])
            .append(' ').append(objects[r.nextInt(objects.length)]).append(" .\n");
      }
      Files.writeString(dir.resolve(split + ".txt"), b.toString());
    }
    return dir;
  }

  /** An LSTM: E = H = 8, one layer, T = 6, B = 4, Adam 0.02, dropout 0.1, seed 3, top-k 3. */
  public static TrainSettings settings(Path corpus, String head, int epochs, long maxSteps) {
    return TrainSettings.lstm(corpus.toString(), 0, Heads.parse(head), 8, 8, 1, 6, 4, 3, "adam", 0.02, 1.0, 0.1,
        epochs, maxSteps, 0.5, 3, 3, 3);
  }

  /** The next-word probabilities after {@code prompt} by a SavedModel's {@code next_word} signature, unbatched. */
  public static float[] nextWord(SavedModelBundle b, int[] prompt) {
    try (TInt32 ids = TInt32.tensorOf(Shape.of(1, prompt.length), DataBuffers.of(prompt, true, false));
        Result r = b.function(Signatures.NEXT_WORD).call(Map.of(Signatures.IDS, ids))) {
      TFloat32 logp = (TFloat32) r.get(Signatures.NEXT_LOG_PROBABILITIES).orElseThrow();
      float[] p = new float[(int) logp.shape().size()];
      logp.copyTo(DataBuffers.of(p, false, false));
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) Math.exp(p[i]);
      }
      return p;
    }
  }

  /** The {@link #settings} with a Transformer of one block and 2 heads of {@code attention}: D = 8, 6 positions. */
  public static TrainSettings transformer(Path corpus, String head, String attention, int epochs, long maxSteps) {
    return settings(corpus, head, epochs, maxSteps).withTransformer(Normalisers.parse(attention), 2);
  }

  /** The command line of {@link #settings} (the LSTM) for {@code beyond train}, without the corpus and output. */
  public static List<String> arguments(TrainSettings s) {
    List<String> args = new java.util.ArrayList<>(List.of("--head", s.head().toString(), "--embed",
        String.valueOf(s.embed()), "--hidden", String.valueOf(s.hidden()), "--layers", String.valueOf(s.layers()),
        "--bptt", String.valueOf(s.bptt()), "--batch", String.valueOf(s.batch()), "--eval-batch",
        String.valueOf(s.evalBatch()), "--optimizer", s.optimizer(), "--lr", String.valueOf(s.learningRate()),
        "--clip", String.valueOf(s.clip()), "--dropout", String.valueOf(s.dropout()), "--epochs",
        String.valueOf(s.epochs()), "--max-steps", String.valueOf(s.maxSteps()), "--lr-decay",
        String.valueOf(s.lrDecay()), "--patience", String.valueOf(s.patience()), "--seed", String.valueOf(s.seed()),
        "--top-k", String.valueOf(s.topK()), "--backbone", s.backbone()));
    if (s.attention() != null) {
      args.addAll(List.of("--attention", s.attention().toString(), "--attention-heads",
          String.valueOf(s.attentionHeads())));
    }
    return args;
  }

  /** Trains {@code head} on {@link #corpus} for {@code epochs} and exports it to {@code out}. */
  public static Path train(Path out, String head, int epochs) throws IOException {
    Path text = corpus(out.resolveSibling(out.getFileName() + "-text"));
    new Trainer(out, TextCorpus.load(text, 0), TrainListener.SILENT).run(settings(text, head, epochs, 0));
    return out;
  }
}
