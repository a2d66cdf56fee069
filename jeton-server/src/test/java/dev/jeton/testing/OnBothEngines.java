package dev.jeton.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs every test of the class once per {@link Engine}: "[1] SQLITE", then "[2] POSTGRES".
 *
 * <p>A test method, or a {@code @BeforeEach} or {@code @AfterEach} method, that declares a
 * {@link TestServer} parameter gets the server of the current test: started on the engine of the
 * run with the {@link Settings} of the class and of the test method, the same object for every
 * method of that test, and closed after it (after the {@code @AfterEach} methods).
 *
 * <p>A class with its own life cycle (restarts, several servers, a bare database) declares an
 * {@link Engine} parameter instead, in its constructor or in a test or {@code @BeforeEach} method.
 * ({@code @BeforeAll} methods run once, before both runs, and get neither.)
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ClassTemplate
@ExtendWith(EngineExtension.class)
public @interface OnBothEngines {}
