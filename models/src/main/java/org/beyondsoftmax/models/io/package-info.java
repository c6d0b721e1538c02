/**
 * Files written durably: {@link org.beyondsoftmax.models.io.AtomicFiles}, the one atomic writer of
 * the project (temporary file, fsync of file and directory, rename), shared by the model directory
 * and the application.
 *
 * <p>May use: the JDK only.
 */
package org.beyondsoftmax.models.io;
