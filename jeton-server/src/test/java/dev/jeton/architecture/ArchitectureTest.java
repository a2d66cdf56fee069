package dev.jeton.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The package rules of docs/architecture.md, checked on the compiled main classes: no package
 * cycle, plumbing that knows no feature, and features that depend only on the layers below them.
 * A new package must be placed in a layer here (and in the document) before it can be used.
 */
@AnalyzeClasses(packages = "dev.jeton", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String[] PLUMBING = {"dev.jeton.config..", "dev.jeton.error..",
      "dev.jeton.observe..", "dev.jeton.store..", "dev.jeton.http..", "dev.jeton.limit.."};
  private static final String[] FEATURES = {"dev.jeton.token..", "dev.jeton.account..",
      "dev.jeton.rejection..", "dev.jeton.session..", "dev.jeton.user..", "dev.jeton.pat..",
      "dev.jeton.client..",
      "dev.jeton.web..", "dev.jeton.admin..", "dev.jeton.setup..", "dev.jeton.leak..",
      "dev.jeton.doctor..", "dev.jeton.qr..", "dev.jeton.push..", "dev.jeton.oauth..", "dev.jeton.oidc..",
      "dev.jeton.ops.."};

  /** Every package is its own slice: no two packages may reach each other, however far round. */
  @ArchTest
  static final ArchRule noPackageCycles = slices().matching("dev.jeton.(**)")
      .should().beFreeOfCycles();

  @ArchTest
  static final ArchRule plumbingKnowsNoFeature = noClasses()
      .that().resideInAnyPackage(PLUMBING)
      .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
      .orShould().dependOnClassesThat().resideInAPackage("dev.jeton");

  /** Layers from the top down; each may use only those below it (and the libraries). */
  @ArchTest
  static final ArchRule featuresDependDownward = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .layer("server").definedBy("dev.jeton")
      .layer("ops").definedBy("dev.jeton.ops..")
      .layer("oidc").definedBy("dev.jeton.oidc..")
      .layer("oauth").definedBy("dev.jeton.oauth..")
      // leaked-token reports and the token doctor: both look at any kind of token
      .layer("leak").definedBy("dev.jeton.leak..", "dev.jeton.doctor..")
      .layer("qr").definedBy("dev.jeton.qr..")
      // push approval: the device registry and FCM, used by QR login to ask a user's phones
      .layer("push").definedBy("dev.jeton.push..")
      .layer("admin and setup").definedBy("dev.jeton.admin..", "dev.jeton.setup..")
      .layer("client").definedBy("dev.jeton.client..")
      .layer("web").definedBy("dev.jeton.web..")
      .layer("pat").definedBy("dev.jeton.pat..")
      .layer("user").definedBy("dev.jeton.user..")
      .layer("session").definedBy("dev.jeton.session..")
      .layer("rejection").definedBy("dev.jeton.rejection..")
      .layer("account").definedBy("dev.jeton.account..")
      .layer("token").definedBy("dev.jeton.token..")
      .layer("limit").definedBy("dev.jeton.limit..")
      .layer("http").definedBy("dev.jeton.http..")
      .layer("store").definedBy("dev.jeton.store..")
      .layer("observe").definedBy("dev.jeton.observe..")
      .layer("error").definedBy("dev.jeton.error..")
      .layer("config").definedBy("dev.jeton.config..")
      .whereLayer("server").mayNotBeAccessedByAnyLayer()
      .whereLayer("ops").mayOnlyBeAccessedByLayers("server")
      .whereLayer("oidc").mayOnlyBeAccessedByLayers("server")
      .whereLayer("oauth").mayOnlyBeAccessedByLayers("server", "oidc")
      .whereLayer("leak").mayOnlyBeAccessedByLayers("server")
      .whereLayer("qr").mayOnlyBeAccessedByLayers("server")
      .whereLayer("push").mayOnlyBeAccessedByLayers("server", "oauth", "qr")
      .whereLayer("admin and setup").mayOnlyBeAccessedByLayers("server", "oidc", "oauth")
      .whereLayer("pat").mayOnlyBeAccessedByLayers("server", "oidc", "oauth", "leak", "qr",
          "admin and setup")
      .whereLayer("client").mayOnlyBeAccessedByLayers("server", "oidc", "oauth", "leak", "qr",
          "admin and setup")
      .whereLayer("web").mayOnlyBeAccessedByLayers("server", "oidc", "oauth", "qr",
          "admin and setup")
      .whereLayer("user").mayOnlyBeAccessedByLayers("server", "pat", "oidc", "oauth", "leak",
          "qr", "push", "admin and setup", "client", "web")
      .whereLayer("session").mayOnlyBeAccessedByLayers("server", "pat", "oidc", "oauth", "leak",
          "qr", "push", "admin and setup", "client", "web", "user")
      .whereLayer("rejection").mayOnlyBeAccessedByLayers("server", "pat", "oidc", "oauth",
          "leak", "qr", "admin and setup", "client", "web", "user", "session")
      .whereLayer("account").mayOnlyBeAccessedByLayers("server", "pat", "oidc", "oauth", "leak",
          "qr", "push", "admin and setup", "client", "web", "user", "session")
      .whereLayer("token").mayOnlyBeAccessedByLayers("server", "pat", "oidc", "oauth", "leak",
          "qr", "push", "admin and setup", "client", "web", "user", "session", "account")
      .whereLayer("limit").mayOnlyBeAccessedByLayers(above("token"))
      .whereLayer("http").mayOnlyBeAccessedByLayers(above("token", "limit"))
      .whereLayer("store").mayOnlyBeAccessedByLayers(above("token", "limit", "http"))
      .whereLayer("observe").mayOnlyBeAccessedByLayers(above("token", "limit", "http", "store"))
      .whereLayer("error").mayOnlyBeAccessedByLayers(above("token", "limit", "http", "store",
          "observe"));

  /** Every feature layer, from the top down to {@code lowest}, and {@code more} plumbing. */
  private static String[] above(String lowest, String... more) {
    List<String> features = List.of("server", "pat", "ops", "oidc", "oauth", "leak", "qr", "push",
        "admin and setup", "client", "web", "user", "session", "rejection", "account", "token");
    List<String> out = new ArrayList<>(features.subList(0, features.indexOf(lowest) + 1));
    out.addAll(List.of(more));
    return out.toArray(String[]::new);
  }

  /** SQL is written only in the features' {@code *Store} classes (and the store plumbing). */
  @ArchTest
  static final ArchRule sqlOnlyInStores = noClasses()
      .that().haveSimpleNameNotEndingWith("Store")
      .and().resideOutsideOfPackage("dev.jeton.store..")
      .should().callMethodWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
          JavaClass.Predicates.assignableTo(Handle.class)))
          .and(JavaCall.Predicates.target(HasName.Predicates.nameMatching(
              "createQuery|createUpdate|createBatch|createScript|execute|prepareBatch"))))
      .because("each feature's SQL lives in its *Store (docs/architecture.md)");

  /**
   * Transactions are begun only by the store plumbing: every write is a unit of work submitted to
   * the WriteQueue (docs/architecture.md, "One write path"). On SQLite the read pool is read-only,
   * so a write through {@code Jdbi.withHandle} fails at run time in every SQLite test as well.
   */
  @ArchTest
  static final ArchRule writesOnlyThroughTheQueue = noClasses()
      .that().resideOutsideOfPackage("dev.jeton.store..")
      .should().callMethodWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
          JavaClass.Predicates.assignableTo(Jdbi.class)))
          .and(JavaCall.Predicates.target(HasName.Predicates.nameMatching(
              "inTransaction|useTransaction|useHandle|open"))))
      .orShould().callMethodWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
          JavaClass.Predicates.assignableTo(Handle.class)))
          .and(JavaCall.Predicates.target(HasName.Predicates.nameMatching(
              "begin|commit|rollback|inTransaction|useTransaction"))))
      .because("writes are units of work of the WriteQueue (docs/architecture.md)");
}
