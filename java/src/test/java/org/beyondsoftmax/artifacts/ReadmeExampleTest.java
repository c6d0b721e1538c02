package org.beyondsoftmax.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it from your project" shows code that compiles as written: its Java example
 * is, character for character, the consumer project's QuickStart (which .ci/run compiles and
 * runs), and every artifact its Maven snippet names is pinned by the BOM.
 */
class ReadmeExampleTest {
  private static final Path README = Path.of("../README.md");
  private static final Path QUICK_START =
      Path.of("examples/consumer/src/main/java/org/beyondsoftmax/examples/QuickStart.java");

  private static String section() throws Exception {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n## Use it from your project\n");
    assertTrue(start >= 0, "the README has the section 'Use it from your project'");
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  private static List<String> blocks(String text, String language) {
    Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
    return m.results().map(r -> r.group(1)).toList();
  }

  @Test
  void theJavaExampleIsTheConsumersQuickStart() throws Exception {
    List<String> java = blocks(section(), "java");
    assertEquals(1, java.size(), "one Java example in the section");
    assertEquals(Files.readString(QUICK_START), java.get(0),
        "README's example = " + QUICK_START + " (copy one over the other)");
  }

  @Test
  void theMavenSnippetNamesWhatTheBomPins() throws Exception {
    List<String> xml = blocks(section(), "xml");
    assertEquals(1, xml.size(), "one Maven snippet in the section");
    String bom = Files.readString(Path.of("bom/pom.xml"));
    Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>(\\s*<classifier>([^<]+)</classifier>)?").matcher(xml.get(0));
    int checked = 0;
    while (m.find()) {
      if (m.group(1).equals("beyond-softmax-bom")) {
        continue;
      }
      String managed = "<artifactId>" + m.group(1) + "</artifactId>"
          + (m.group(3) == null ? "" : "(?:(?!</dependency>).)*<classifier>" + m.group(3) + "</classifier>");
      assertTrue(Pattern.compile(managed, Pattern.DOTALL).matcher(bom).find(), m.group(0) + " is pinned by the BOM");
      checked++;
    }
    assertEquals(4, checked, "models, tensorflow-core-native and beyond-softmax-native (two)");
  }
}
