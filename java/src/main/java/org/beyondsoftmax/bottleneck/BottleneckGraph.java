package org.beyondsoftmax.bottleneck;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.heads.HeadConfig;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The graph of one run: the context embeddings H [N, D], free variables initialised
 * normal(0, sigma^2) with sigma = {@link BottleneckSettings#contextInitStd()}; one head; the loss
 * mean_j targetLoss(h_j, P*_j); one full-batch Adam step on the head's variables and H; and what
 * {@link Measurements} reads after training. {@link BottleneckRun} runs it.
 *
 * @param head the head under test
 * @param contexts H, read through an Identity
 * @param loss the mean target loss
 * @param step one Adam update of every variable
 * @param measurements the fetches that measure the fit
 */
record BottleneckGraph(
    OutputHead<TFloat32> head, Operand<TFloat32> contexts, Operand<TFloat32> loss, Op step,
    Measurements measurements) {

  /** Builds the run's graph in {@code graph}; with {@code keepProbabilities}, Q is measured too. */
  static BottleneckGraph build(Graph graph, Problem problem, Spec<HeadFactory> spec, int dims,
      BottleneckSettings settings, boolean keepProbabilities) {
    int n = problem.contexts();
    int m = problem.classes();
    Ops tf = Ops.create(graph);
    HeadConfig<TFloat32> config = new HeadConfig<>(tf, TFloat32.class, dims, m, settings.seed());
    OutputHead<TFloat32> head = Heads.create(spec, config);
    Parameters<TFloat32> contexts = new Parameters<>(tf, TFloat32.class, settings.seed(), "contexts");
    Operand<TFloat32> h = contexts.normal("embeddings", Shape.of(n, dims), settings.contextInitStd());
    Operand<TFloat32> targets =
        tf.constant(Shape.of(n, m), DataBuffers.of(problem.targets32(), true, false));
    Operand<TFloat32> loss = tf.math.mean(head.targetLoss(h, targets), tf.constant(0));
    List<Parameter<TFloat32>> trained = new ArrayList<>(head.parameters());
    trained.addAll(contexts.all());
    Op step = Optimizer.minimize(tf, loss, trained, settings.learningRate(), Optimizer.Settings.adam())
        .update();
    Measurements measurements = new Measurements(tf, head, h, targets, loss,
        settings.klSmoothing(), Math.min(settings.rankRows(), n), m, dims, keepProbabilities);
    return new BottleneckGraph(head, h, loss, step, measurements);
  }
}
