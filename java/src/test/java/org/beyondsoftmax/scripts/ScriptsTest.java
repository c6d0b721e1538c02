package org.beyondsoftmax.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples in java/examples/scripts compile against the current API and run, as their comments say
 * (java -cp ... Script.java), on a tiny corpus: train, next words, continue training, calibrate.
 */
class ScriptsTest {
  static final Path SCRIPTS = Path.of("examples", "scripts");

  @Test
  void everyScriptCompiles(@TempDir Path classes) throws IOException {
    Path dir = SCRIPTS;
    List<Path> scripts;
    try (Stream<Path> s = Files.list(dir)) {
      scripts = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertFalse(scripts.isEmpty(), "scripts in " + dir.toAbsolutePath());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    for (Path script : scripts) {
      StringWriter out = new StringWriter();
      var fm = javac.getStandardFileManager(null, null, null);
      boolean ok = javac.getTask(out, fm, null,
          List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-Xlint:none"),
          null, fm.getJavaFileObjects(script)).call();
      assertEquals(true, ok, script + ":\n" + out);
    }
  }

  @Test
  void everyScriptRunsOnATinyCorpus(@TempDir Path tmp) throws Exception {
    Path text = TinyLanguageModels.corpus(tmp.resolve("text"));
    Path lm = tmp.resolve("lm");
    String train = run("TrainLanguageModel.java", text.toString(), "softmax", lm.toString());
    List<Double> perplexities = numbers(train, "valid perplexity ([0-9.]+)");
    assertEquals(3, perplexities.size(), train);
    assertTrue(perplexities.get(2) < perplexities.get(0), "training lowers validation perplexity: " + train);
    assertTrue(perplexities.get(2) < 30, "below the ~30 words of the toy grammar: " + train);
    assertTrue(Files.exists(lm.resolve("saved_model.pb")) && Files.exists(lm.resolve("vocab.txt")), train);

    Vocabulary vocabulary = Vocabulary.read(lm.resolve("vocab.txt"));
    String next = run("NextWords.java", lm.toString(), "the cat");
    List<String> lines = next.lines().filter(l -> l.matches("\\S+\\s+[0-9.]+")).toList();
    assertEquals(5, lines.size(), next); // the top-k the script's model exports
    for (String line : lines) {
      assertTrue(vocabulary.contains(line.split("\\s+")[0]), "a word of the vocabulary: " + line);
    }
    assertTrue(lines.stream().anyMatch(l -> List.of("sees", "likes", "chases", "finds").contains(l.split("\\s+")[0])),
        "after a subject the grammar's verbs are among the top words: " + next);

    Path more = tmp.resolve("lm-2");
    String cont = run("ContinueTraining.java", lm.toString(), text.toString(), more.toString());
    assertFalse(numbers(cont, "loss ([0-9.]+)").isEmpty(), cont);
    assertTrue(Files.exists(more.resolve("saved_model.pb")), cont);

    Path calibrated = tmp.resolve("lm-calibrated");
    String cal = run("CalibrateLanguageModel.java", more.toString(), text.toString(), calibrated.toString(), "5", "400");
    List<Double> nll = numbers(cal, "([0-9.]+) -> ([0-9.]+)");
    assertTrue(nll.size() == 4 && nll.get(1) <= nll.get(0), "the fitted NLL does not rise: " + cal);
    assertTrue(cal.contains("argmax unchanged: true"), cal);
    assertTrue(Files.exists(calibrated.resolve("saved_model.pb")), cal);
  }

  /** Runs {@code script} as its comment says (source-file mode, the application's class path). */
  static String run(String script, String... args) throws Exception {
    Process p = ChildJvm.of(SCRIPTS.resolve(script).toString(), args).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), script + " finishes");
    System.out.println("ScriptsTest, " + script + ":\n" + out.lines().filter(l -> !l.contains(" I tensorflow/")
        && !l.startsWith("I0000")).reduce("", (a, b) -> a + b + "\n"));
    assertEquals(0, p.exitValue(), script + ":\n" + out);
    return out;
  }

  /** Every match of {@code regex}'s groups in {@code text}, as numbers. */
  static List<Double> numbers(String text, String regex) {
    List<Double> all = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      for (int g = 1; g <= m.groupCount(); g++) {
        all.add(Double.parseDouble(m.group(g)));
      }
    }
    return all;
  }
}
