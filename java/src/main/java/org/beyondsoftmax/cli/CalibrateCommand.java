package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.calibration.LogitCalibration;
import org.beyondsoftmax.savedmodel.Calibrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond calibrate}: PLIF or temperature calibration of any SavedModel's logits. */
@Command(
    name = "calibrate",
    description = {
        "Fits an increasing transform f of the logits that a SavedModel's signature outputs "
            + "(PLIF: piecewise-linear with positive slopes, Ganea et al. 2019; or temperature "
            + "scaling, Guo et al. 2017) by full-batch Adam to minimise the NLL of labelled held-out "
            + "data, and exports --out: the original graph, variables and signatures, with --signature "
            + "gaining the outputs LOGITS_calibrated = f(logits) and "
            + "LOGITS_calibrated_probabilities = softmax(f(logits)). f is increasing, so the "
            + "argmax (the predicted class) is unchanged; the report checks it on every example.",
        "--data: JSON Lines, one example per line, a value for each input of the signature "
            + "(numbers or nested arrays, without the batch axis) and an integer \"label\", e.g. "
            + "{\"x\": [0.5, -1.2], \"label\": 2}. The last --holdout of the lines only checks the fit.",
        "For a model of 'beyond train': --signature next_word --logits log_probabilities, "
            + "data lines {\"ids\": [..up to T word ids..], \"label\": next word id}."})
public final class CalibrateCommand extends BeyondCommand {
  @Mixin
  SavedModelDir model;

  @Option(names = "--signature", paramLabel = "NAME", defaultValue = "serving_default",
      description = "the signature whose output holds the logits (default: ${DEFAULT-VALUE})")
  String signature;

  @Option(names = "--logits", paramLabel = "OUTPUT", required = true,
      description = "the signature's output with the logits [N, M]")
  String logits;

  @Option(names = "--data", paramLabel = "FILE", required = true, description = "labelled examples (JSON Lines)")
  Path data;

  @Mixin
  NewSavedModelDir out;

  @Option(names = "--method", defaultValue = "plif", description = "plif or temperature (default: ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--knots", defaultValue = "50", description = "PLIF pieces (default: ${DEFAULT-VALUE})")
  int knots;

  @Mixin
  AdamOptions adam = new AdamOptions(300, 0.05);

  @Option(names = "--holdout", defaultValue = "0.2",
      description = "fraction of the data (the last lines) kept out of the fit to check it (default: ${DEFAULT-VALUE})")
  double holdout;

  @Option(names = "--batch", defaultValue = "256", description = "examples per call of the model (default: ${DEFAULT-VALUE})")
  int batch;

  @Mixin
  JsonReport json;

  @Override
  int run(PrintWriter o, PrintWriter err) throws IOException {
    LogitCalibration.Kind kind = switch (method) {
      case "plif" -> LogitCalibration.Kind.PLIF;
      case "temperature" -> LogitCalibration.Kind.TEMPERATURE;
      default -> throw invalid("--method must be plif or temperature, got '" + method + "'");
    };
    out.free();
    Calibrator.Options options = checked(() -> new Calibrator.Options(kind, knots, adam.steps, adam.lr, holdout, batch));
    Calibrator.Report r;
    try {
      r = Calibrator.calibrate(model.dir, signature, logits, data, out.dir, options);
    } catch (IllegalArgumentException e) {
      err.println("calibrate: " + e.getMessage());
      err.flush();
      return 1;
    }
    o.printf("%s/%s: %s; %d classes%n", r.signature(), r.logits(), r.transform(), r.classes());
    o.printf("NLL on the %d fitted examples: %.4f -> %.4f%n", r.fitExamples(), r.fitNllBefore(), r.fitNllAfter());
    if (r.checkNllBefore() != null) {
      o.printf("NLL on the %d held-out examples: %.4f -> %.4f%n", r.checkExamples(), r.checkNllBefore(), r.checkNllAfter());
    }
    o.printf("argmax unchanged on all %d examples: %s%n", r.fitExamples() + r.checkExamples(), r.argmaxUnchanged());
    o.printf("exported %s with outputs %s%n", out.dir.toAbsolutePath().normalize(), r.outputs());
    o.flush();
    Json.write(out.dir.resolve("calibration.json"), r);
    json.write(r, err);
    return r.argmaxUnchanged() ? 0 : 1;
  }
}
