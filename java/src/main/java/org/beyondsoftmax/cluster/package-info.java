/**
 * Training on TensorFlow's distributed runtime: a cluster of parameter servers and workers
 * ({@link org.beyondsoftmax.cluster.ClusterSpec}), the gRPC server of one task
 * ({@link org.beyondsoftmax.cluster.TaskServer}), TF-Java sessions on a remote master
 * ({@link org.beyondsoftmax.cluster.RemoteSession}), synchronous data-parallel steps on standard ops
 * ({@link org.beyondsoftmax.cluster.SyncReplicas}, {@link org.beyondsoftmax.cluster.SyncWorker}) and a
 * launcher of local clusters ({@link org.beyondsoftmax.cluster.LocalCluster}). Uses TF-Java and the
 * C API it bundles; no other package of the application.
 */
package org.beyondsoftmax.cluster;
