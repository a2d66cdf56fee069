package dev.jeton.account;

import static dev.jeton.testing.TestServer.v1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jeton.testing.Api;
import dev.jeton.testing.OnBothEngines;
import dev.jeton.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sub-accounts over real HTTP, on both engines: creation and the one-time setup link, the tree
 * an admin may see and manage, disabling a subtree, per-account token lifetimes, and tokens bound
 * to the account that issued them.
 */
@OnBothEngines
class AccountsTest {
  private static final String ADMIN_PASSWORD = "correct horse battery staple";
  private static final String USER_PASSWORD = "violet lantern over quiet fjord";

  TestServer server;
  Api api;
  String mainAdmin;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
    api = server.api();
    mainAdmin = server.adminToken();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Api.Response create(String parent, String bearer, String id) {
    return api.postJson(v1(parent) + "/accounts", "{\"id\":" + Api.q(id) + "}", bearer);
  }

  private Api.Response createOk(String parent, String bearer, String id) {
    Api.Response r = create(parent, bearer, id);
    assertThat(r.status()).as("create %s under %s: %s", id, parent, r).isEqualTo(201);
    return r;
  }

  private static String setupToken(Api.Response created) {
    String url = created.text("setup_url");
    return url.substring(url.indexOf("token=") + "token=".length());
  }

  private Api.Response setup(String account, String token, String email, String password) {
    return api.postJson(v1(account) + "/setup", "{\"setup_token\":" + Api.q(token)
        + ",\"email\":" + Api.q(email) + ",\"password\":" + Api.q(password) + "}");
  }

  /** Creates an account under {@code parent} and its first admin; answers that admin's token. */
  private String accountWithAdmin(String parent, String bearer, String id) {
    Api.Response created = createOk(parent, bearer, id);
    Api.Response admin = setup(id, setupToken(created), "owner@" + id + ".example",
        ADMIN_PASSWORD);
    assertThat(admin.status()).as("setup of %s: %s", id, admin).isEqualTo(201);
    return admin.text("access_token");
  }

  private static List<String> ids(Api.Response list) {
    List<String> ids = new ArrayList<>();
    for (JsonNode a : list.json().path("accounts")) {
      ids.add(a.path("id").asText());
    }
    return ids;
  }

  private static JsonNode firstError(Api.Response r) {
    return r.json().path("errors").get(0);
  }

  // ---- creation and setup --------------------------------------------------------------------

  @Test
  void createWhenMainAdminThenCreatedWithIssuerLifetimesAndSetupUrl() {
    Api.Response r = api.postJson(v1("main") + "/accounts",
        "{\"id\":\"acme-eu\",\"name\":\"  Acme Europe \"}", mainAdmin);
    assertThat(r.status()).isEqualTo(201);
    String issuer = api.base() + "/accounts/acme-eu";
    assertThat(r.text("id")).isEqualTo("acme-eu");
    assertThat(r.text("parent")).isEqualTo("main");
    assertThat(r.text("name")).isEqualTo("Acme Europe");
    assertThat(r.text("issuer")).isEqualTo(issuer);
    assertThat(r.text("disabled_at")).isNull();
    JsonNode lt = r.json().path("token_lifetimes");
    assertThat(lt.path("access_token").asLong()).isEqualTo(3600);
    assertThat(lt.path("refresh_token").asLong()).isEqualTo(365L * 24 * 3600);
    assertThat(lt.path("refresh_token_idle").asLong()).isEqualTo(30L * 24 * 3600);
    assertThat(lt.path("admin_session").asLong()).isEqualTo(4L * 3600);
    assertThat(lt.path("refresh_grace").asLong()).isZero();
    assertThat(r.text("setup_url")).startsWith(issuer + "/setup?token=jeton_st_");
    assertThat(r.header("Location"))
        .contains(api.base() + "/accounts/main/api/v1/accounts/acme-eu");
    // The new account is its own issuer with its own keys.
    assertThat(api.get("/accounts/acme-eu/.well-known/openid-configuration", null).text("issuer"))
        .isEqualTo(issuer);
    assertThat(api.get("/accounts/acme-eu/.well-known/jwks.json", null).json().path("keys").size())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void createWhenNameMissingThenNameIsId() {
    Api.Response r = createOk("main", mainAdmin, "plain");
    assertThat(r.text("name")).isEqualTo("plain");
  }

  @Test
  void setupWhenTokenFromSetupUrlThenAdminCreatedOnceOnly() {
    Api.Response created = createOk("main", mainAdmin, "child");
    String token = setupToken(created);

    Api.Response first = setup("child", token, "owner@child.example", ADMIN_PASSWORD);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Cache-Control")).contains("no-store");
    assertThat(first.json().path("user").path("role").asText()).isEqualTo("admin");
    assertThat(first.json().path("user").path("account").asText()).isEqualTo("child");
    assertThat(first.json().path("user").path("email").asText()).isEqualTo("owner@child.example");
    assertThat(first.text("access_token")).isNotBlank();
    assertThat(first.text("refresh_token")).startsWith("jeton_rt_");
    assertThat(first.text("scope")).isEqualTo("admin user");
    Api.Response me = api.get(v1("child") + "/me", first.text("access_token"));
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.text("role")).isEqualTo("admin");

    Api.Response second = setup("child", token, "intruder@child.example", ADMIN_PASSWORD);
    assertThat(second.status()).isEqualTo(400);
    assertThat(second.code()).isEqualTo("setup_token_invalid");
    assertThat(server.login("child", "intruder@child.example", ADMIN_PASSWORD).status())
        .isEqualTo(401);
    assertThat(server.login("child", "owner@child.example", ADMIN_PASSWORD).status())
        .isEqualTo(200);
  }

  @Test
  void setupWhenTokenOfAnotherAccountThenSetupTokenInvalid() {
    Api.Response one = createOk("main", mainAdmin, "one");
    createOk("main", mainAdmin, "two");
    Api.Response r = setup("two", setupToken(one), "owner@two.example", ADMIN_PASSWORD);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("setup_token_invalid");
    // Refused elsewhere, the token still works where it belongs.
    assertThat(setup("one", setupToken(one), "owner@one.example", ADMIN_PASSWORD).status())
        .isEqualTo(201);
  }

  @Test
  void setupWhenPasswordWeakThenValidationAndTokenStillUsable() {
    Api.Response created = createOk("main", mainAdmin, "weak");
    Api.Response r = setup("weak", setupToken(created), "owner@weak.example", "short");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("validation_failed");
    assertThat(firstError(r).path("field").asText()).isEqualTo("password");
    assertThat(setup("weak", setupToken(created), "owner@weak.example", ADMIN_PASSWORD).status())
        .isEqualTo(201);
  }

  @Test
  void setupWhenEmailAlreadyRegisteredThenUserAlreadyExistsAndTokenStillUsable() {
    Api.Response created = createOk("main", mainAdmin, "early");
    server.openRegistration("early");
    assertThat(server.register("early", "owner@early.example", USER_PASSWORD).status())
        .isEqualTo(201);
    Api.Response r = setup("early", setupToken(created), "owner@early.example", ADMIN_PASSWORD);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.code()).isEqualTo("user_already_exists");
    Api.Response ok = setup("early", setupToken(created), "boss@early.example", ADMIN_PASSWORD);
    assertThat(ok.status()).isEqualTo(201);
    assertThat(ok.json().path("user").path("role").asText()).isEqualTo("admin");
  }

  @Test
  void setupWhenAccountDisabledThenAccountDisabledAndNoAdmin() {
    Api.Response created = createOk("main", mainAdmin, "gone");
    assertThat(api.postJson(v1("main") + "/accounts/gone/disable", "{}", mainAdmin).status())
        .isEqualTo(200);
    Api.Response r = setup("gone", setupToken(created), "owner@gone.example", ADMIN_PASSWORD);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("account_disabled");
    assertThat(server.app().users().store().countAdmins("gone")).isZero();
  }

  @Test
  void createWhenChildAdminThenGrandchildUnderChild() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    Api.Response r = createOk("child", childAdmin, "child-grand");
    assertThat(r.text("parent")).isEqualTo("child");
    assertThat(r.text("issuer")).isEqualTo(api.base() + "/accounts/child-grand");
    assertThat(r.text("setup_url"))
        .startsWith(api.base() + "/accounts/child-grand/setup?token=jeton_st_");
    String grandAdmin = setup("child-grand", setupToken(r), "owner@grand.example", ADMIN_PASSWORD)
        .text("access_token");
    assertThat(api.get(v1("child-grand") + "/me", grandAdmin).text("role")).isEqualTo("admin");
  }

  // ---- visibility of the tree ----------------------------------------------------------------

  @Test
  void getAndListWhenMainAdminThenSeesChildAndGrandchild() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    createOk("child", childAdmin, "child-grand");
    createOk("main", mainAdmin, "sibling");

    Api.Response list = api.get(v1("main") + "/accounts", mainAdmin);
    assertThat(list.status()).isEqualTo(200);
    assertThat(ids(list)).containsExactly("child", "child-grand", "sibling");

    Api.Response grand = api.get(v1("main") + "/accounts/child-grand", mainAdmin);
    assertThat(grand.status()).isEqualTo(200);
    assertThat(grand.text("parent")).isEqualTo("child");
    assertThat(api.get(v1("main") + "/accounts/child", mainAdmin).text("id")).isEqualTo("child");
    assertThat(api.get(v1("main") + "/accounts/main", mainAdmin).status()).isEqualTo(200);

    Api.Response childList = api.get(v1("child") + "/accounts", childAdmin);
    assertThat(childList.status()).isEqualTo(200);
    assertThat(ids(childList)).containsExactly("child-grand");
  }

  @Test
  void getWhenChildAdminAsksForParentOrSiblingThenAccountNotFound() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    createOk("main", mainAdmin, "sibling");

    Api.Response parent = api.get(v1("child") + "/accounts/main", childAdmin);
    assertThat(parent.status()).isEqualTo(404);
    assertThat(parent.code()).isEqualTo("account_not_found");
    Api.Response sibling = api.get(v1("child") + "/accounts/sibling", childAdmin);
    assertThat(sibling.status()).isEqualTo(404);
    assertThat(sibling.code()).isEqualTo("account_not_found");
    // Same answer as for an account that does not exist at all: existence is not revealed.
    Api.Response none = api.get(v1("child") + "/accounts/no-such", childAdmin);
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.code()).isEqualTo("account_not_found");
    // Nor can the child change or disable them.
    Api.Response patch = api.patchJson(v1("child") + "/accounts/main", "{\"name\":\"mine\"}",
        childAdmin);
    assertThat(patch.code()).isEqualTo("account_not_found");
    Api.Response disable = api.postJson(v1("child") + "/accounts/sibling/disable", "{}",
        childAdmin);
    assertThat(disable.code()).isEqualTo("account_not_found");
    assertThat(api.get(v1("main") + "/accounts/sibling", mainAdmin).text("disabled_at")).isNull();
    assertThat(api.get(v1("main") + "/accounts/main", mainAdmin).text("name")).isEqualTo("Main");
    // The child sees itself.
    assertThat(api.get(v1("child") + "/accounts/child", childAdmin).status()).isEqualTo(200);
  }

  // ---- disabling -----------------------------------------------------------------------------

  @Test
  void disableWhenParentDisablesChildThenSubtreeLoginAndTokensRefused() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    createOk("child", childAdmin, "child-grand");
    createOk("main", mainAdmin, "sibling");
    server.openRegistration("child-grand");
    server.openRegistration("sibling");
    Api.Response grandUser = server.register("child-grand", "gus@grand.example", USER_PASSWORD);
    assertThat(grandUser.status()).isEqualTo(201);
    Api.Response siblingUser = server.register("sibling", "sia@sibling.example", USER_PASSWORD);
    assertThat(api.get(v1("child") + "/me", childAdmin).status()).isEqualTo(200);
    assertThat(api.get(v1("child-grand") + "/me", grandUser.text("access_token")).status())
        .isEqualTo(200);

    Api.Response disabled = api.postJson(v1("main") + "/accounts/child/disable", "{}", mainAdmin);
    assertThat(disabled.status()).isEqualTo(200);
    assertThat(disabled.text("disabled_at")).isNotBlank();
    assertThat(api.get(v1("main") + "/accounts/child-grand", mainAdmin).text("disabled_at"))
        .isNotBlank();

    Api.Response childLogin = server.login("child", "owner@child.example", ADMIN_PASSWORD);
    assertThat(childLogin.status()).isEqualTo(403);
    assertThat(childLogin.code()).isEqualTo("account_disabled");
    Api.Response grandLogin = server.login("child-grand", "gus@grand.example", USER_PASSWORD);
    assertThat(grandLogin.status()).isEqualTo(403);
    assertThat(grandLogin.code()).isEqualTo("account_disabled");

    // Tokens issued before: the account check comes first, so 403 account_disabled.
    Api.Response childMe = api.get(v1("child") + "/me", childAdmin);
    assertThat(childMe.code()).isIn("token_revoked", "account_disabled");
    assertThat(childMe.status()).isEqualTo(403);
    assertThat(childMe.code()).isEqualTo("account_disabled");
    Api.Response grandMe = api.get(v1("child-grand") + "/me", grandUser.text("access_token"));
    assertThat(grandMe.code()).isIn("token_revoked", "account_disabled");
    assertThat(grandMe.status()).isEqualTo(403);
    assertThat(grandMe.code()).isEqualTo("account_disabled");
    assertThat(server.refresh("child-grand", grandUser.text("refresh_token")).code())
        .isEqualTo("account_disabled");
    assertThat(api.get(v1("child") + "/accounts", childAdmin).code())
        .isEqualTo("account_disabled");

    // Their sessions are revoked in storage too, not only hidden behind the account check.
    String grandSession = server.app().accessTokens()
        .verify(grandUser.text("access_token"), "child-grand").sessionId();
    assertThat(server.app().sessions().find(grandSession).orElseThrow().revoked()).isTrue();

    // The rest of the tree is untouched.
    assertThat(api.get(v1("main") + "/me", mainAdmin).status()).isEqualTo(200);
    assertThat(api.get(v1("sibling") + "/me", siblingUser.text("access_token")).status())
        .isEqualTo(200);
    assertThat(api.get(v1("main") + "/accounts/sibling", mainAdmin).text("disabled_at")).isNull();
  }

  @Test
  void disableWhenAccountItselfOrMainThenOperationForbidden() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");

    Api.Response self = api.postJson(v1("child") + "/accounts/child/disable", "{}", childAdmin);
    assertThat(self.status()).isEqualTo(403);
    assertThat(self.code()).isEqualTo("account_operation_forbidden");
    Api.Response main = api.postJson(v1("main") + "/accounts/main/disable", "{}", mainAdmin);
    assertThat(main.status()).isEqualTo(403);
    assertThat(main.code()).isEqualTo("account_operation_forbidden");

    assertThat(api.get(v1("child") + "/me", childAdmin).status()).isEqualTo(200);
    assertThat(api.get(v1("main") + "/me", mainAdmin).status()).isEqualTo(200);
    assertThat(server.login("child", "owner@child.example", ADMIN_PASSWORD).status())
        .isEqualTo(200);
  }

  @Test
  void disableWhenChildAdminDisablesGrandchildThenOnlyGrandchildDisabled() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    createOk("child", childAdmin, "child-grand");
    Api.Response r = api.postJson(v1("child") + "/accounts/child-grand/disable", "{}", childAdmin);
    assertThat(r.status()).isEqualTo(200);
    assertThat(server.register("child-grand", "gus@grand.example", USER_PASSWORD).code())
        .isEqualTo("account_disabled");
    assertThat(api.get(v1("child") + "/me", childAdmin).status()).isEqualTo(200);
    assertThat(api.get(v1("main") + "/accounts/child", mainAdmin).text("disabled_at")).isNull();
  }

  // ---- validation and authorisation ----------------------------------------------------------

  @Test
  void createWhenIdOutsideTheParentsNamespaceThenRefusedSoNoTenantClaimsAnothersId() {
    String acmeAdmin = accountWithAdmin("main", mainAdmin, "acme");
    for (String id : List.of("globex-eu", "acme2", "acmeeu", "eu")) {
      Api.Response r = create("acme", acmeAdmin, id);
      assertThat(r.status()).as("%s: %s", id, r).isEqualTo(400);
      assertThat(r.code()).isEqualTo("validation_failed");
      assertThat(r.body()).contains("starts with 'acme-'");
    }
    createOk("acme", acmeAdmin, "acme-eu");
    // the operator names main's own sub-accounts freely, and their owners keep their namespace
    String globexAdmin = accountWithAdmin("main", mainAdmin, "globex");
    createOk("globex", globexAdmin, "globex-eu");
  }

  @Test
  void setupLinkWhenAnAncestorIssuesANewOneThenItWorksOnceAndTheEarlierStops() {
    Api.Response created = createOk("main", mainAdmin, "lost");
    String first = setupToken(created);
    Api.Response r = api.postJson(v1("main") + "/accounts/lost/setup-link", "{}", mainAdmin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.header("Cache-Control")).hasValue("no-store");
    assertThat(r.text("setup_url")).startsWith(api.base() + "/accounts/lost/setup?token=jeton_st_");
    assertThat(r.text("expires_at")).isNotBlank();
    String second = setupToken(r);
    assertThat(setup("lost", first, "owner@lost.example", ADMIN_PASSWORD).code())
        .isEqualTo("setup_token_invalid");
    Api.Response done = setup("lost", second, "owner@lost.example", ADMIN_PASSWORD);
    assertThat(done.status()).as(done.toString()).isEqualTo(201);
    // not by the account's own admin, and not by another tenant
    Api.Response own = api.postJson(v1("lost") + "/accounts/lost/setup-link", "{}",
        done.text("access_token"));
    assertThat(own.code()).as(own.toString()).isEqualTo("account_operation_forbidden");
    String otherAdmin = accountWithAdmin("main", mainAdmin, "other");
    Api.Response foreign = api.postJson(v1("other") + "/accounts/lost/setup-link", "{}",
        otherAdmin);
    assertThat(foreign.code()).as(foreign.toString()).isEqualTo("account_not_found");
  }

  @Test
  void ceilingsWhenAParentSetsThemThenTheSubAccountCannotExceedThemNorLiftThem() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    // unbounded, a tenant admin could give itself ten-year admin sessions
    Api.Response own = api.patchJson(v1("child") + "/accounts/child",
        "{\"token_lifetimes\":{\"admin_session\":315360000}}", childAdmin);
    assertThat(own.status()).as(own.toString()).isEqualTo(200);
    Api.Response set = api.patchJson(v1("main") + "/accounts/child",
        "{\"ceilings\":{\"admin_session\":14400,\"refresh_grace\":5}}", mainAdmin);
    assertThat(set.status()).as(set.toString()).isEqualTo(200);
    assertThat(set.json().path("ceilings").path("admin_session").asLong()).isEqualTo(14400);
    // the setting above the new ceiling is cut to it at once
    assertThat(set.json().path("token_lifetimes").path("admin_session").asLong())
        .isEqualTo(14400);
    Api.Response login = server.login("child", "owner@child.example", ADMIN_PASSWORD);
    assertThat(login.json().path("refresh_token_expires_in").asLong()).isLessThanOrEqualTo(14400);

    Api.Response raise = api.patchJson(v1("child") + "/accounts/child",
        "{\"token_lifetimes\":{\"admin_session\":28800}}", childAdmin);
    assertThat(raise.status()).as(raise.toString()).isEqualTo(400);
    assertThat(raise.body()).contains("ceiling");
    Api.Response lift = api.patchJson(v1("child") + "/accounts/child",
        "{\"ceilings\":{\"admin_session\":999999}}", childAdmin);
    assertThat(lift.code()).as(lift.toString()).isEqualTo("account_operation_forbidden");
    // the ceiling holds below the child too
    createOk("child", childAdmin, "child-grand");
    Api.Response grand = api.patchJson(v1("child") + "/accounts/child-grand",
        "{\"token_lifetimes\":{\"admin_session\":20000}}", childAdmin);
    assertThat(grand.status()).as(grand.toString()).isEqualTo(400);
    assertThat(api.get(v1("child") + "/accounts/child-grand", childAdmin).json()
        .path("token_lifetimes").path("admin_session").asLong()).isLessThanOrEqualTo(14400);
    // and within it the child decides
    assertThat(api.patchJson(v1("child") + "/accounts/child",
        "{\"token_lifetimes\":{\"admin_session\":3600}}", childAdmin).status())
        .isEqualTo(200);
  }

  @Test
  void deleteWhenAnAncestorDeletesThenNothingOfTheAccountWorksAndItsIdStaysTaken() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    server.openRegistration("child");
    Api.Response user = server.register("child", "gus@child.example", USER_PASSWORD);
    assertThat(user.status()).as(user.toString()).isEqualTo(201);
    String pat = api.postJson(v1("child") + "/me/tokens", "{}", user.text("access_token"))
        .text("token");
    createOk("child", childAdmin, "child-grand");

    // sub-accounts go only when asked for
    Api.Response refused = api.send("DELETE", v1("main") + "/accounts/child", null,
        java.util.Map.of("Authorization", "Bearer " + mainAdmin));
    assertThat(refused.code()).as(refused.toString()).isEqualTo("account_has_sub_accounts");
    assertThat(api.get(v1("child") + "/me", pat).status()).isEqualTo(200);
    Api.Response own = api.send("DELETE", v1("child") + "/accounts/child", null,
        java.util.Map.of("Authorization", "Bearer " + childAdmin));
    assertThat(own.code()).as(own.toString()).isEqualTo("account_operation_forbidden");

    Api.Response gone = api.send("DELETE", v1("main") + "/accounts/child?recursive=true", null,
        java.util.Map.of("Authorization", "Bearer " + mainAdmin));
    assertThat(gone.status()).as(gone.toString()).isEqualTo(204);
    for (String id : List.of("child", "child-grand")) {
      assertThat(api.get(v1("main") + "/accounts/" + id, mainAdmin).code())
          .isEqualTo("account_not_found");
      assertThat(api.get("/accounts/" + id + "/.well-known/jwks.json").status()).isEqualTo(404);
    }
    assertThat(ids(api.get(v1("main") + "/accounts", mainAdmin))).doesNotContain("child");
    assertThat(api.get(v1("child") + "/me", pat).status()).isGreaterThanOrEqualTo(400);
    assertThat(api.get(v1("child") + "/me", user.text("access_token")).status())
        .isGreaterThanOrEqualTo(400);
    assertThat(server.login("child", "gus@child.example", USER_PASSWORD).status())
        .isGreaterThanOrEqualTo(400);
    assertThat(server.refresh("child", user.text("refresh_token")).status())
        .isGreaterThanOrEqualTo(400);
    // what identified its people is gone; the id is never handed out again
    int emails = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM users WHERE account_id = 'child' AND email NOT LIKE 'deleted:%'")
        .mapTo(Integer.class).one());
    assertThat(emails).isZero();
    int keys = server.app().database().jdbi().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM signing_keys WHERE account_id IN ('child', 'child-grand')")
        .mapTo(Integer.class).one());
    assertThat(keys).isZero();
    Api.Response again = create("main", mainAdmin, "child");
    assertThat(again.code()).as(again.toString()).isEqualTo("account_already_exists");
  }

  @Test
  void createWhenIdTakenThenAccountAlreadyExists() {
    createOk("main", mainAdmin, "dup");
    Api.Response r = create("main", mainAdmin, "dup");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.code()).isEqualTo("account_already_exists");
    Api.Response main = create("main", mainAdmin, "main");
    assertThat(main.status()).isEqualTo(409);
    assertThat(main.code()).isEqualTo("account_already_exists");
    // Taken anywhere in the tree: ids are global.
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    createOk("main", mainAdmin, "child-dup");
    Api.Response fromChild = create("child", childAdmin, "child-dup");
    assertThat(fromChild.status()).isEqualTo(409);
    assertThat(fromChild.code()).isEqualTo("account_already_exists");
    assertThat(api.get(v1("main") + "/accounts/dup", mainAdmin).text("parent")).isEqualTo("main");
  }

  @Test
  void createWhenIdInvalidThenValidationFailedNamingId() {
    List<String> bad = List.of("A", "a", "-x", "x-", "x_y", "a".repeat(64), "../main", "Acme",
        "a b", "");
    for (String id : bad) {
      Api.Response r = create("main", mainAdmin, id);
      assertThat(r.status()).as("id %s: %s", id, r).isEqualTo(400);
      assertThat(r.code()).as("id %s", id).isEqualTo("validation_failed");
      assertThat(firstError(r).path("field").asText()).as("id %s", id).isEqualTo("id");
    }
    assertThat(ids(api.get(v1("main") + "/accounts", mainAdmin))).isEmpty();
    // The bounds themselves are accepted.
    assertThat(create("main", mainAdmin, "a".repeat(63)).status()).isEqualTo(201);
    assertThat(create("main", mainAdmin, "x1").status()).isEqualTo(201);
    assertThat(create("main", mainAdmin, "a-b-9").status()).isEqualTo(201);
  }

  @Test
  void createWhenIdMissingOrNotStringThenValidationFailedNamingId() {
    Api.Response missing = api.postJson(v1("main") + "/accounts", "{\"name\":\"x\"}", mainAdmin);
    assertThat(missing.code()).isEqualTo("validation_failed");
    assertThat(firstError(missing).path("field").asText()).isEqualTo("id");
    assertThat(firstError(missing).path("code").asText()).isEqualTo("field_missing");
    Api.Response number = api.postJson(v1("main") + "/accounts", "{\"id\":42}", mainAdmin);
    assertThat(number.code()).isEqualTo("validation_failed");
    assertThat(firstError(number).path("field").asText()).isEqualTo("id");
  }

  @Test
  void createAndUpdateWhenUnknownFieldThenFieldUnknown() {
    Api.Response r = api.postJson(v1("main") + "/accounts",
        "{\"id\":\"ok-id\",\"parent\":\"other\"}", mainAdmin);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.code()).isEqualTo("validation_failed");
    assertThat(firstError(r).path("field").asText()).isEqualTo("parent");
    assertThat(firstError(r).path("code").asText()).isEqualTo("field_unknown");
    assertThat(api.get(v1("main") + "/accounts/ok-id", mainAdmin).status()).isEqualTo(404);

    createOk("main", mainAdmin, "child");
    Api.Response patch = api.patchJson(v1("main") + "/accounts/child",
        "{\"token_lifetimes\":{\"id_token\":60}}", mainAdmin);
    assertThat(patch.code()).isEqualTo("validation_failed");
    assertThat(firstError(patch).path("field").asText()).isEqualTo("token_lifetimes.id_token");
    assertThat(firstError(patch).path("code").asText()).isEqualTo("field_unknown");
    Api.Response top = api.patchJson(v1("main") + "/accounts/child", "{\"parent\":\"other\"}",
        mainAdmin);
    assertThat(firstError(top).path("code").asText()).isEqualTo("field_unknown");
  }

  @Test
  void accountsApiWhenNormalUserThenInsufficientScope() {
    String user = server.register("main", "uma@example.com", USER_PASSWORD).text("access_token");
    createOk("main", mainAdmin, "child");

    Api.Response create = create("main", user, "mine");
    assertThat(create.status()).isEqualTo(403);
    assertThat(create.code()).isEqualTo("insufficient_scope");
    assertThat(create.header("WWW-Authenticate").orElseThrow())
        .contains("error=\"insufficient_scope\"");
    assertThat(api.get(v1("main") + "/accounts", user).code()).isEqualTo("insufficient_scope");
    assertThat(api.get(v1("main") + "/accounts/child", user).code())
        .isEqualTo("insufficient_scope");
    assertThat(api.patchJson(v1("main") + "/accounts/child", "{\"name\":\"x\"}", user).code())
        .isEqualTo("insufficient_scope");
    assertThat(api.postJson(v1("main") + "/accounts/child/disable", "{}", user).code())
        .isEqualTo("insufficient_scope");
    assertThat(api.get(v1("main") + "/accounts/mine", mainAdmin).status()).isEqualTo(404);
  }

  @Test
  void accountsApiWhenNoTokenThenTokenMissing() {
    Api.Response r = api.postJson(v1("main") + "/accounts", "{\"id\":\"anon\"}");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.code()).isEqualTo("token_missing");
  }

  // ---- lifetimes -----------------------------------------------------------------------------

  @Test
  void patchWhenAccessTokenLifetimeSetThenNewTokensOfThatAccountUseIt() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    server.openRegistration("child");
    Api.Response before = server.register("child", "cleo@child.example", USER_PASSWORD);
    assertThat(before.json().path("expires_in").asLong()).isEqualTo(3600);

    Api.Response patch = api.patchJson(v1("main") + "/accounts/child",
        "{\"token_lifetimes\":{\"access_token\":600}}", mainAdmin);
    assertThat(patch.status()).isEqualTo(200);
    assertThat(patch.json().path("token_lifetimes").path("access_token").asLong()).isEqualTo(600);
    assertThat(patch.json().path("token_lifetimes").path("refresh_token").asLong())
        .isEqualTo(365L * 24 * 3600);

    Api.Response login = server.login("child", "cleo@child.example", USER_PASSWORD);
    assertThat(login.json().path("expires_in").asLong()).isEqualTo(600);
    Api.Response refreshed = server.refresh("child", before.text("refresh_token"));
    assertThat(refreshed.json().path("expires_in").asLong()).isEqualTo(600);
    assertThat(server.login("child", "owner@child.example", ADMIN_PASSWORD).json()
        .path("expires_in").asLong()).isEqualTo(600);
    assertThat(api.get(v1("child") + "/accounts/child", childAdmin).json()
        .path("token_lifetimes").path("access_token").asLong()).isEqualTo(600);

    // Other accounts keep the server default.
    assertThat(server.register("main", "mona@example.com", USER_PASSWORD).json()
        .path("expires_in").asLong()).isEqualTo(3600);

    // A later patch of another field keeps the override; null returns to the default.
    api.patchJson(v1("main") + "/accounts/child", "{\"name\":\"Child\"}", mainAdmin);
    assertThat(server.login("child", "cleo@child.example", USER_PASSWORD).json()
        .path("expires_in").asLong()).isEqualTo(600);
    Api.Response reset = api.patchJson(v1("main") + "/accounts/child",
        "{\"token_lifetimes\":{\"access_token\":null}}", mainAdmin);
    assertThat(reset.json().path("token_lifetimes").path("access_token").asLong())
        .isEqualTo(3600);
    assertThat(server.login("child", "cleo@child.example", USER_PASSWORD).json()
        .path("expires_in").asLong()).isEqualTo(3600);
  }

  @Test
  void patchWhenAccessTokenLifetimeOutOfRangeThenValidationNamesField() {
    createOk("main", mainAdmin, "child");
    for (String value : List.of("59", "86401", "0", "-600", "\"600\"", "600.5", "true")) {
      Api.Response r = api.patchJson(v1("main") + "/accounts/child",
          "{\"token_lifetimes\":{\"access_token\":" + value + "}}", mainAdmin);
      assertThat(r.status()).as("access_token %s: %s", value, r).isEqualTo(400);
      assertThat(r.code()).isEqualTo("validation_failed");
      assertThat(firstError(r).path("field").asText()).as("access_token %s", value)
          .isEqualTo("token_lifetimes.access_token");
    }
    assertThat(api.get(v1("main") + "/accounts/child", mainAdmin).json().path("token_lifetimes")
        .path("access_token").asLong()).isEqualTo(3600);
    // The bounds are accepted.
    assertThat(api.patchJson(v1("main") + "/accounts/child",
        "{\"token_lifetimes\":{\"access_token\":60}}", mainAdmin).status()).isEqualTo(200);
    assertThat(api.patchJson(v1("main") + "/accounts/child",
        "{\"token_lifetimes\":{\"access_token\":86400}}", mainAdmin).status()).isEqualTo(200);
  }

  // ---- tokens bound to their account ---------------------------------------------------------

  @Test
  void tokenWhenPresentedToAnotherAccountThenTokenWrongAccount() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    String siblingAdmin = accountWithAdmin("main", mainAdmin, "sibling");

    Api.Response atParent = api.get(v1("main") + "/me", childAdmin);
    assertThat(atParent.status()).isEqualTo(401);
    assertThat(atParent.code()).isEqualTo("token_wrong_account");
    assertThat(atParent.header("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");

    Api.Response atChild = api.get(v1("child") + "/me", mainAdmin);
    assertThat(atChild.status()).isEqualTo(401);
    assertThat(atChild.code()).isEqualTo("token_wrong_account");

    Api.Response atSibling = api.get(v1("sibling") + "/me", childAdmin);
    assertThat(atSibling.code()).isEqualTo("token_wrong_account");
    Api.Response manageChildFromChildApi = api.get(v1("child") + "/accounts/child", siblingAdmin);
    assertThat(manageChildFromChildApi.code()).isEqualTo("token_wrong_account");
    Api.Response createWithParentToken = create("child", mainAdmin, "sneaky");
    assertThat(createWithParentToken.code()).isEqualTo("token_wrong_account");
    assertThat(api.get(v1("main") + "/accounts/sneaky", mainAdmin).status()).isEqualTo(404);
  }

  // ---- registration switch and enabling again -------------------------------------------------

  @Test
  void registerWhenSubAccountIsNewThenClosedUntilItsAdminOpensIt() {
    // docs/security.md#registration: nobody registers in someone else's tenant uninvited
    Api.Response created = createOk("main", mainAdmin, "shop");
    assertThat(created.json().path("registration").asText()).isEqualTo("closed");
    Api.Response refused = server.register("shop", "eve@shop.example", USER_PASSWORD);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
    assertThat(refused.code()).isEqualTo("registration_closed");
    assertThat(server.register("main", "dan@main.example", USER_PASSWORD).status())
        .as("main stays open").isEqualTo(201);

    Api.Response bad = api.patchJson(v1("main") + "/accounts/shop",
        "{\"registration\":\"sometimes\"}", mainAdmin);
    assertThat(bad.code()).isEqualTo("validation_failed");
    Api.Response opened = api.patchJson(v1("main") + "/accounts/shop",
        "{\"registration\":\"open\"}", mainAdmin);
    assertThat(opened.status()).as(opened.toString()).isEqualTo(200);
    assertThat(opened.json().path("registration").asText()).isEqualTo("open");
    assertThat(server.register("shop", "eve@shop.example", USER_PASSWORD).status())
        .isEqualTo(201);
    api.patchJson(v1("main") + "/accounts/shop", "{\"registration\":\"closed\"}", mainAdmin);
    assertThat(server.register("shop", "fay@shop.example", USER_PASSWORD).code())
        .isEqualTo("registration_closed");
  }

  @Test
  void patchWhenDisabledFalseThenTheSubtreeDisabledTogetherComesBack() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    createOk("child", childAdmin, "child-grand");
    createOk("child", childAdmin, "child-lone");
    // "child-lone" was disabled on its own first: enabling "child" later leaves it disabled
    assertThat(api.postJson(v1("child") + "/accounts/child-lone/disable", "{}", childAdmin)
        .status())
        .isEqualTo(200);
    server.clock().advance(java.time.Duration.ofSeconds(1));
    Api.Response off = api.patchJson(v1("main") + "/accounts/child", "{\"disabled\":true}",
        mainAdmin);
    assertThat(off.status()).as(off.toString()).isEqualTo(200);
    assertThat(off.json().has("disabled_at")).isTrue();
    assertThat(api.get(v1("child") + "/me", childAdmin).code()).isEqualTo("account_disabled");

    Api.Response on = api.patchJson(v1("main") + "/accounts/child", "{\"disabled\":false}",
        mainAdmin);
    assertThat(on.status()).as(on.toString()).isEqualTo(200);
    assertThat(on.json().has("disabled_at")).isFalse();
    assertThat(api.get(v1("main") + "/accounts/child-grand", mainAdmin).json().has("disabled_at"))
        .isFalse();
    assertThat(api.get(v1("main") + "/accounts/child-lone", mainAdmin).json().has("disabled_at"))
        .isTrue();
    // sessions ended by the disabling stay ended; signing in again works
    Api.Response stale = api.get(v1("child") + "/me", childAdmin);
    assertThat(stale.status()).isEqualTo(401);
    assertThat(stale.code()).isEqualTo("token_revoked");
  }

  @Test
  void patchWhenAnAccountDisablesItselfThenForbidden() {
    String childAdmin = accountWithAdmin("main", mainAdmin, "child");
    Api.Response r = api.patchJson(v1("child") + "/accounts/child", "{\"disabled\":true}",
        childAdmin);
    assertThat(r.code()).isEqualTo("account_operation_forbidden");
  }
}
