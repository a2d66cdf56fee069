package dev.jeton.testing;

import dev.jeton.config.Setting;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/** The extension behind {@link OnBothEngines}: one run of the class per engine. */
public final class EngineExtension implements ClassTemplateInvocationContextProvider {
  @Override
  public boolean supportsClassTemplate(ExtensionContext context) {
    return AnnotationSupport.isAnnotated(context.getTestClass(), OnBothEngines.class);
  }

  @Override
  public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(
      ExtensionContext context) {
    return Stream.of(Engine.values()).map(Run::new);
  }

  /** The run of the class on one engine. */
  private record Run(Engine engine) implements ClassTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return "[" + invocationIndex + "] " + engine;
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new Resolver(engine));
    }
  }

  /**
   * Resolves {@link Engine} parameters anywhere, and {@link TestServer} parameters of methods: one
   * server per test, kept in the test's store, which closes it after the test.
   */
  private record Resolver(Engine engine) implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(EngineExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      Class<?> type = parameter.getParameter().getType();
      return type == Engine.class
          || type == TestServer.class && parameter.getDeclaringExecutable() instanceof Method;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      if (parameter.getParameter().getType() == Engine.class) {
        return engine;
      }
      return context.getStore(NAMESPACE).computeIfAbsent(TestServer.class,
          key -> TestServer.start(engine, settings(context)), TestServer.class);
    }

    private static Map<Setting, String> settings(ExtensionContext context) {
      Map<Setting, String> settings = new EnumMap<>(Setting.class);
      add(settings, context.getTestClass());
      add(settings, context.getTestMethod());
      return settings;
    }

    private static void add(Map<Setting, String> settings,
        Optional<? extends AnnotatedElement> element) {
      Optional<Settings> annotation = AnnotationSupport.findAnnotation(element, Settings.class);
      for (String pair : annotation.map(Settings::value).orElse(new String[0])) {
        String[] nameValue = pair.split("=", 2);
        try {
          settings.put(Setting.valueOf(nameValue[0]), nameValue[1]);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
          throw new IllegalArgumentException("@Settings wants SETTING=value, not " + pair, e);
        }
      }
    }
  }
}
