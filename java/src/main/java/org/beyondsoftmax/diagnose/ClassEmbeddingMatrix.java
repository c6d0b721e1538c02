package org.beyondsoftmax.diagnose;

import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.spec.Spec;

/**
 * What "the class-embedding matrix" W [V, d] is for each head, in words for the report. Every head
 * of the registry has one class layer z = W h + b (tied: the input embedding); what differs is what
 * follows it, and so what W's rank bounds: for softmax, sparsemax, entmax, top-k and Taylor, log p
 * is W h + b up to a per-row shift (rank &lt;= d + 1); sigsoftmax, PLIF and the monotone MLP apply
 * a non-linear f elementwise to W h + b before normalising, which can raise the rank of log p
 * (Kanai et al. 2018; Ganea et al. 2019); a mixture of softmaxes shares W between its K components
 * and mixes K softmaxes (Yang et al. 2018).
 */
final class ClassEmbeddingMatrix {
  private ClassEmbeddingMatrix() {}

  /** The matrix's role for {@code head}. */
  static String describe(Spec<HeadFactory> head, boolean tied) {
    String w = tied ? "W [V, d] = the input embedding (tied), of z = W h + b" : "W [V, d] of z = W h + b";
    String name = head.name();
    if (name.startsWith("mos")) {
      return w + ", shared by the K components: p = sum_k pi_k softmax(W tanh(P_k h) + b); the mixture's "
          + "log p is not bounded by rank(W)";
    }
    return switch (name) {
      case "sigsoftmax" -> w + ", before sigsoftmax's exp(z) sigmoid(z): log p is not bounded by rank(W) + 1";
      case "plif", "mlp" -> w + ", before the learned increasing f: p = softmax(f(z)); log p is not bounded by "
          + "rank(W) + 1";
      case "amsoftmax" -> w + " with unit rows (cosine logits)";
      default -> w + ": log p = z - logsumexp(z) (or the sparse mapping of z), rank <= d + 1";
    };
  }
}
