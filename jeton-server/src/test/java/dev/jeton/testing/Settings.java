package dev.jeton.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Setting overrides for the {@link TestServer} that {@link OnBothEngines} starts, as
 * {@code "NAME=value"} with NAME a {@code Setting} constant; the value may be
 * empty. On the class they hold for every test; on a test method they add to the class's and win
 * over them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Settings {
  String[] value();
}
