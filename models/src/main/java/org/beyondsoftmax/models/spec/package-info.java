/**
 * Specs: the text grammar {@code name:key=value,...} ({@link org.beyondsoftmax.models.spec.SpecText})
 * and its typed form ({@link org.beyondsoftmax.models.spec.Spec}), parsed once at the edge by a
 * {@link org.beyondsoftmax.models.spec.Registry} of {@link org.beyondsoftmax.models.spec.Kind}s, each
 * of which declares its name, description, {@link org.beyondsoftmax.models.spec.Option}s (default,
 * help, range) and factory in one place. Output heads and attention normalisers are registries of
 * this kind.
 *
 * <p>May use: the JDK only.
 */
package org.beyondsoftmax.models.spec;
