package org.beyondsoftmax.train;

import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.spec.Spec;

/**
 * What a model directory's {@code model.json} ({@link
 * org.beyondsoftmax.models.lm.ModelDirectory#modelInfo}) says about an exported language model, for
 * {@code beyond eval} and for people: how it was trained, on which vocabulary ({@code vocab.txt},
 * one word per id), and the unrolled length of its graph.
 *
 * @param vocabularyFingerprint {@link org.beyondsoftmax.corpus.Vocabulary#fingerprint()}
 * @param steps T: the signatures take at most T tokens per row
 * @param sparse whether the head can give probability 0
 * @param parameters trained scalars
 * @param checkpoint the checkpoint exported (the best validation perplexity)
 * @param validPerplexity that checkpoint's validation perplexity
 */
public record ModelInfo(String corpus, int vocabulary, String vocabularyFingerprint, Spec<HeadFactory> head,
    int steps, boolean sparse, long parameters, String checkpoint, Double validPerplexity, TrainSettings settings) {}
