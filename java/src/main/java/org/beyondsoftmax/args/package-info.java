/**
 * Checks of the arguments that the application's settings records and harnesses share (train,
 * bench, bottleneck, diagnose, recall, serve): one message per kind of range, naming the argument
 * and its allowed range.
 *
 * <p>May use: the JDK only.
 */
package org.beyondsoftmax.args;
