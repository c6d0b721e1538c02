/**
 * {@code beyond serve}: TensorFlow Serving's REST API over a SavedModel with dynamic batching,
 * model versions polled from disk, Prometheus metrics and graceful shutdown; and the load test
 * client ({@code beyond loadtest}).
 *
 * <p>May use: {@code savedmodel}, {@code json}, {@code models.lm}, TF-Java, Jackson, the JDK HTTP
 * server, Prometheus' client, HdrHistogram.
 */
package org.beyondsoftmax.serve;
