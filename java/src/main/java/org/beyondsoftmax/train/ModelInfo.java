package org.beyondsoftmax.train;

/**
 * What {@code OUT/model.json} says about an exported language model, for {@code beyond eval} and
 * for people: how it was trained, on which vocabulary ({@code OUT/vocab.txt}, one word per id),
 * and the unrolled length of its graph.
 *
 * @param vocabularyFingerprint {@link org.beyondsoftmax.corpus.Vocabulary#fingerprint()}
 * @param steps T: the signatures take at most T tokens per row
 * @param sparse whether the head can give probability 0
 * @param parameters trained scalars
 * @param checkpoint the checkpoint exported (the best validation perplexity)
 * @param validPerplexity that checkpoint's validation perplexity
 */
public record ModelInfo(String corpus, int vocabulary, String vocabularyFingerprint, String head, int steps,
    boolean sparse, long parameters, String checkpoint, Double validPerplexity, TrainSettings settings) {
  public static final String FILE = "model.json";
  public static final String VOCABULARY = "vocab.txt";
}
