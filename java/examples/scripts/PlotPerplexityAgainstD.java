// Plots test perplexity against the hidden size d for the runs of brown-experiments.sh (issue 13,
// experiment 2): reads RUNS/{lstm,transformer}D-HEAD-test.json as `beyond eval --json` wrote them, for the
// d of D_VALUES that have one (d on a log axis).
//
//   java -cp "java/target/beyond-app.jar:java/target/lib/*" java/examples/scripts/PlotPerplexityAgainstD.java \
//       RUNS OUT.png
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

public class PlotPerplexityAgainstD {
  private static final int[] D_VALUES = {16, 32, 64, 128, 256};

  public static void main(String[] args) throws Exception {
    Path runs = Path.of(args[0]);
    XYChart chart = new XYChartBuilder().width(800).height(500).title("Brown, 250 steps: test perplexity against d")
        .xAxisTitle("d (hidden size)").yAxisTitle("test perplexity").build();
    chart.getStyler().setXAxisLogarithmic(true);
    for (String backbone : List.of("lstm", "transformer")) {
      for (String head : List.of("softmax", "sigsoftmax", "plif_knots_1000", "mos_components_3",
          "mos_components_3_tanh_false")) {
        List<Double> d = new ArrayList<>();
        List<Double> ppl = new ArrayList<>();
        for (int size : D_VALUES) {
          Path f = runs.resolve(backbone + size + "-" + head + "-test.json");
          if (Files.exists(f)) {
            d.add((double) size);
            ppl.add(new ObjectMapper().readTree(f.toFile()).get("perplexity").asDouble());
          }
        }
        String label = head.split("_")[0] + (head.endsWith("tanh_false") ? " linear" : "");
        chart.addSeries(backbone + " " + label, d, ppl).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    BitmapEncoder.saveBitmap(chart, args[1], BitmapEncoder.BitmapFormat.PNG);
  }
}
