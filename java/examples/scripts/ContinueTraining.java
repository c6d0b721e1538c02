// Loads a language-model SavedModel (from TrainLanguageModel.java or ./beyond train) in a fresh
// JVM, continues training it through its train_step signature, and saves the trained variables
// back as a new SavedModel. Needs no model code: only the SavedModel's signatures.
//
//   java -cp "java/target/beyond-app.jar:java/target/lib/*" java/examples/scripts/ContinueTraining.java \
//       /tmp/my-lm TEXT_DIR /tmp/my-lm-2
import java.nio.file.Path;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.TextCorpus;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.models.lm.TbpttBatches;

public class ContinueTraining {
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Corpus corpus = TextCorpus.load(Path.of(args[1]), 0);
    Vocabulary vocabulary = Vocabulary.read(model.resolve("vocab.txt"));
    // the model's ids: map the corpus's words through the model's vocabulary
    int[] stream = new int[corpus.train().length];
    for (int i = 0; i < stream.length; i++) {
      stream[i] = vocabulary.id(corpus.vocabulary().word(corpus.train()[i]));
    }
    int steps = 20; // at most the model's unrolled length
    try (SavedLanguageModel lm = SavedLanguageModel.load(model)) {
      TbpttBatches batches = new TbpttBatches(stream, 16, steps);
      for (int i = 0; i < Math.min(50, batches.size()); i++) {
        var b = batches.get(i);
        double loss = lm.trainStep(b.batch(), b.steps(), b.ids(), b.targets()); // one update
        if (i % 10 == 0) {
          System.out.printf("step %d: loss %.3f%n", i, loss);
        }
      }
      Path out = Path.of(args[2]);
      lm.export(out);
      vocabulary.write(out.resolve("vocab.txt"));
      System.out.println("re-exported " + out);
    }
  }
}
