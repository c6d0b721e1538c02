package org.beyondsoftmax.serve;

import java.util.Set;
import org.beyondsoftmax.savedmodel.TensorValues;

/**
 * What a language model's inputs of word ids accept: ids in {@code [0, vocabulary)} and at most
 * {@code maxLength} of them per instance (the unrolled length T of the exported graph).
 *
 * @param inputs the names of the inputs that hold word ids (e.g. {@code ids}, {@code targets})
 */
public record WordIds(int vocabulary, int maxLength, Set<String> inputs) {
  public WordIds {
    inputs = Set.copyOf(inputs);
  }

  /** Checks one instance's ids (a rank-1 integer value). */
  void check(TensorValues ids, String where) {
    if (ids.shape().length != 1) {
      throw ApiException.badRequest(where + ": expected a list of word ids, got shape "
          + JsonTensors.shapeText(ids.shape()));
    }
    if (ids.size() > maxLength) {
      throw ApiException.badRequest(where + ": " + ids.size() + " word ids are too many: the model reads at most "
          + maxLength + " per instance");
    }
    for (int i = 0; i < ids.size(); i++) {
      long id = ids.longs()[i];
      if (id < 0 || id >= vocabulary) {
        throw ApiException.badRequest(where + "[" + i + "]: word id " + id + " is outside the vocabulary [0, "
            + vocabulary + ")");
      }
    }
  }
}
