// Calibrates a language-model SavedModel's next-word log-probabilities on held-out text: writes
// labelled windows of the corpus's validation split (WINDOW words -> the next word) as JSON Lines,
// fits an increasing PLIF of the logits (Calibrator, as `beyond calibrate` does) and exports the
// model plus the transform. The argmax (the predicted word) cannot change; the NLL drops.
//
//   java -cp "java/target/beyond-app.jar:java/target/lib/*" java/examples/scripts/CalibrateLanguageModel.java \
//       /tmp/my-lm TEXT_DIR|brown /tmp/my-lm-calibrated [WINDOW=20] [EXAMPLES=2000] [plif|temperature]
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.corpus.Corpora;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.models.calibration.LogitCalibration;
import org.beyondsoftmax.savedmodel.Calibrator;

public class CalibrateLanguageModel {
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Corpus corpus = Corpora.load(args[1], Corpora.defaultCacheDir(), 0, new PrintWriter(System.err, true));
    Path out = Path.of(args[2]);
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 20; // at most the model's unrolled length
    int examples = args.length > 4 ? Integer.parseInt(args[4]) : 2000;
    var kind = args.length > 5 ? LogitCalibration.Kind.valueOf(args[5].toUpperCase()) : LogitCalibration.Kind.PLIF;
    Vocabulary vocabulary = Vocabulary.read(model.resolve("vocab.txt"));
    int[] valid = corpus.valid();
    int stride = Math.max(1, (valid.length - window - 1) / examples); // evenly spaced windows
    Path data = Files.createTempFile("calibration", ".jsonl");
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(data))) {
      for (int start = 0, n = 0; start + window < valid.length && n < examples; start += stride, n++) {
        StringBuilder line = new StringBuilder("{\"ids\": [");
        for (int i = 0; i < window; i++) {
          line.append(i == 0 ? "" : ", ").append(modelId(vocabulary, corpus, valid[start + i]));
        }
        w.println(line.append("], \"label\": ").append(modelId(vocabulary, corpus, valid[start + window])).append('}'));
      }
    }
    // the last 20 % of the windows only check the fit; 300 full-batch Adam steps at 0.05
    Calibrator.Report r;
    try {
      r = Calibrator.calibrate(model, "next_word", "log_probabilities", data, out,
          new Calibrator.Options(kind, 50, 300, 0.05, 0.2, 256));
    } finally {
      Files.delete(data);
    }
    vocabulary.write(out.resolve("vocab.txt"));
    System.out.printf("%s: NLL on %d fitted windows %.4f -> %.4f, on %d held-out windows %.4f -> %.4f%n",
        r.transform(), r.fitExamples(), r.fitNllBefore(), r.fitNllAfter(), r.checkExamples(),
        r.checkNllBefore(), r.checkNllAfter());
    System.out.println("argmax unchanged: " + r.argmaxUnchanged() + "; exported " + out);
  }

  /** The model's id of the corpus's word id (the model may have been trained on other text). */
  static int modelId(Vocabulary model, Corpus corpus, int id) {
    return model.id(corpus.vocabulary().word(id));
  }
}
