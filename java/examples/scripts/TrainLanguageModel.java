// Trains a small LSTM language model with any output head on a text corpus, reports validation
// perplexity and exports a SavedModel; only the public API of beyond-softmax.
//
//   mvn -B -q -Dmaven.test.skip=true install        # once, from the repository root
//   java -cp "java/target/beyond-app.jar:java/target/lib/*" java/examples/scripts/TrainLanguageModel.java \
//       DIR_WITH_train.txt_valid.txt_test.txt plif:knots=1000 /tmp/my-lm
import java.nio.file.Path;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.TextCorpus;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.beyondsoftmax.models.lm.LanguageModelGraph;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.TbpttBatches;
import org.beyondsoftmax.models.optim.Optimizer;

public class TrainLanguageModel {
  public static void main(String[] args) throws Exception {
    Corpus corpus = TextCorpus.load(Path.of(args[0]), 0);
    String head = args.length > 1 ? args[1] : "softmax";
    Path out = Path.of(args.length > 2 ? args[2] : "/tmp/beyond-lm");
    int steps = 20; // truncated BPTT length T
    var config = new LanguageModel.Config(corpus.vocabulary().size(), 64, 64, 1, Heads.parse(head), 1);
    var training = new LanguageModelGraph.Training(Optimizer.Settings.of(Optimizer.Kind.ADAM, 1.0), 0.003, 0.2);
    try (var lm = new LanguageModelSession(config, training, steps, 5)) {
      TbpttBatches train = new TbpttBatches(corpus.train(), 16, steps);
      for (int epoch = 1; epoch <= 3; epoch++) {
        float[][] state = null; // the LSTM state, carried from batch to batch
        double loss = 0;
        for (int i = 0; i < train.size(); i++) {
          var r = lm.train(train.get(i), state);
          state = r.state();
          loss += r.loss();
        }
        // validation perplexity: exp of the mean -log p over every next-word prediction
        TbpttBatches valid = new TbpttBatches(corpus.valid(), 8, steps);
        double nll = 0;
        long n = 0;
        state = null;
        for (int i = 0; i < valid.size(); i++) {
          var b = valid.get(i);
          var r = lm.evaluate(b, state);
          state = r.state();
          for (int j = 0; j < b.weights().length; j++) {
            if (b.weights()[j] > 0) {
              nll -= r.logProbs()[j];
              n++;
            }
          }
        }
        System.out.printf("epoch %d: train loss %.3f, valid perplexity %.2f%n", epoch, loss / train.size(),
            Math.exp(nll / n));
      }
      lm.export(out); // signatures serving_default, log_prob, next_word, train_step
      corpus.vocabulary().write(out.resolve("vocab.txt"));
      System.out.println("exported " + out);
    }
  }
}
