// Prints the most probable next words after a prompt, from a language-model SavedModel and its
// vocab.txt, through the serving_default signature (as TF Serving would call it).
//
//   java -cp "java/target/beyond-app.jar:java/target/lib/*" java/examples/scripts/NextWords.java \
//       /tmp/my-lm "the cat sat on the"
import java.nio.file.Path;
import java.util.Arrays;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.models.lm.SavedLanguageModel;

public class NextWords {
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Vocabulary vocabulary = Vocabulary.read(model.resolve("vocab.txt"));
    int[] ids = vocabulary.encode(Arrays.asList(args[1].trim().split("\\s+")));
    try (SavedLanguageModel lm = SavedLanguageModel.load(model)) {
      var next = lm.next(1, ids.length, ids); // the prompt may be shorter than the unrolled length
      for (int i = 0; i < next.k(); i++) {
        System.out.printf("%-15s %.4f%n", vocabulary.word(next.ids()[i]), next.probabilities()[i]);
      }
    }
  }
}
