/**
 * The command line {@code ./beyond} (picocli): one class per command, each a {@code BeyondCommand}
 * (help, version, writers, invalid-option errors), the option groups that several commands share
 * (mixins: corpus, model directories, JSON report), converters that parse specs at the edge, and
 * the one-line failure handling. Commands read options and delegate; they hold no model code.
 *
 * <p>May use: every other package of the application, {@code models}, {@code ops}.
 */
package org.beyondsoftmax.cli;
