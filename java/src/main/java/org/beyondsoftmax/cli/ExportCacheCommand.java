package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.io.AtomicFiles;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.train.CachedModel;
import org.beyondsoftmax.train.ModelInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code beyond export-cache}: a trained language model exported again with a cache head. */
@Command(
    name = "export-cache",
    description = {
        "Exports the language model in --model (a directory of 'beyond train') to --out with a neural "
            + "cache of the last L (hidden state, next word) pairs (Grave et al. 2017): its signatures "
            + "serving_default, next_word and log_prob give p = (1 - lambda) p_head + lambda p_cache, "
            + "the memory filled from each request's own prompt; the graph's cache_lambda and "
            + "cache_theta inputs default to --cache-lambda and --cache-theta (e.g. those of "
            + "'beyond eval --tune-cache'). TensorFlow's own ops only; model.json and vocab.txt beside it."},
    exitCodeList = {"0:done", "1:failed (a model directory that cannot take a cache, a write error)",
        "2:invalid options"})
public final class ExportCacheCommand extends BeyondCommand {
  @Mixin
  TrainedModel model;

  @Mixin
  NewSavedModelDir out;

  @Mixin
  CacheOptions cacheHead;

  @Override
  int run(PrintWriter stdout, PrintWriter err) throws IOException {
    if (cacheHead.size == null) {
      throw invalid("give --cache L (L >= 1): the number of memories");
    }
    cacheHead.check(spec);
    ModelDirectory from = new ModelDirectory(model.dir);
    if (!Files.isRegularFile(from.modelInfo())) {
      throw invalid("--model " + model.dir + ": no " + ModelDirectory.MODEL_INFO
          + " there (a directory written by 'beyond train')");
    }
    if (out.dir.toAbsolutePath().normalize().equals(from.dir().toAbsolutePath().normalize())) {
      throw invalid("--out must be another directory than --model");
    }
    ModelDirectory to = out.free();
    ModelInfo info = Json.read(from.modelInfo(), ModelInfo.class);
    CacheSettings own = info.settings() == null ? null : info.settings().cache();
    CacheOptions.requireLstm(spec, info);
    CacheSettings cache = cacheHead.settings(spec, own, null);
    Path staging = to.newStaging();
    try (LanguageModelSession session = CachedModel.open(model.dir, info, cache, true)) {
      session.export(staging);
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(staging);
      throw e;
    }
    to.installSavedModel(staging);
    AtomicFiles.write(to.vocabulary(), Files.readAllBytes(from.vocabulary()));
    Json.write(to.modelInfo(), new ModelInfo(info.corpus(), info.vocabulary(), info.vocabularyFingerprint(),
        info.head(), info.steps(), info.sparse(), info.parameters(), info.checkpoint(), info.validPerplexity(),
        info.settings().withCache(cache)));
    err.printf("exported %s with a cache (L = %d, lambda %s, theta %s) to %s%n", model.dir, cache.size(),
        cache.lambda(), cache.theta(), to.dir().toAbsolutePath().normalize());
    err.flush();
    return 0;
  }
}
