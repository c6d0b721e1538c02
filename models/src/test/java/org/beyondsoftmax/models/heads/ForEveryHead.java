package org.beyondsoftmax.models.heads;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A head test run once per case of its class's static {@code heads()}, each named by its first
 * argument, the spec (which {@link RegisteredHeads} ties to the registry).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("heads")
@interface ForEveryHead {}
