package org.beyondsoftmax.bottleneck;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The experiment's settings and one result per (M, D, head), as written to JSON. */
public record BottleneckReport(BottleneckSettings settings, List<BottleneckResult> results) {

  /** The settings as JSON fields. */
  @JsonProperty("settings")
  public Map<String, Object> settingsJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("contexts", settings.contexts());
    m.put("classes", settings.classes());
    m.put("dims", settings.dims());
    m.put("alpha", settings.alpha());
    m.put("heads", settings.heads().stream().map(Object::toString).toList());
    m.put("steps", settings.steps());
    m.put("seed", settings.seed());
    m.put("learning_rate", settings.learningRate());
    m.put("context_init_std", settings.contextInitStd());
    m.put("rank_rows", settings.rankRows());
    m.put("kl_smoothing", settings.klSmoothing());
    m.put("rank_tolerance", "max(rank_rows, classes) * sigma_max * 2^-23 (float32 eps)");
    return m;
  }

  @JsonProperty("results")
  @Override
  public List<BottleneckResult> results() {
    return results;
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  @Override
  public BottleneckSettings settings() {
    return settings;
  }
}
