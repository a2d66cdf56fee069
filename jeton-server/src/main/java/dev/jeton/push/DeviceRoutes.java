package dev.jeton.push;

import dev.jeton.account.Account;
import dev.jeton.error.ApiException;
import dev.jeton.error.ErrorCode;
import dev.jeton.http.ErrorWriter;
import dev.jeton.http.Json;
import dev.jeton.http.JsonBody;
import dev.jeton.http.Responses;
import dev.jeton.http.Router;
import dev.jeton.session.BearerAuth;
import dev.jeton.session.SessionService;
import dev.jeton.user.UserAdmin;
import io.javalin.http.Context;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The device registry's API (docs/push.md#devices): a user registers, lists, renames and deletes
 * their phones under {@code {issuer}/api/v1/me/devices}; an admin lists and deletes a user's under
 * {@code {issuer}/api/v1/users/{id}/devices}. Registering, renaming and deleting take the access
 * token of a sign-in: a leaked personal access token must not be able to add a phone that would
 * then be asked to approve sign-ins.
 */
public final class DeviceRoutes {
  /** The errors of the device routes. */
  public static final Set<ErrorCode> ERRORS = errors();
  private static final String MINE = "/accounts/{account}/api/v1/me/devices";
  private static final String USERS = "/accounts/{account}/api/v1/users/{user_id}/devices";
  private static final Set<String> FIELDS = Set.of("token", "platform", "name", "app_id");
  private static final int MAX_NAME = 64;

  private final Devices devices;
  private final BearerAuth bearer;
  private final UserAdmin users;

  public DeviceRoutes(Devices devices, BearerAuth bearer, UserAdmin users) {
    this.devices = devices;
    this.bearer = bearer;
    this.users = users;
  }

  public void register(Router r) {
    r.as(ErrorWriter.Format.PROBLEM, ERRORS)
        .post(MINE, this::add)
        .get(MINE, this::mine)
        .patch(MINE + "/{id}", this::rename)
        .delete(MINE + "/{id}", this::deleteMine)
        .get(USERS, this::ofUser)
        .delete(USERS + "/{id}", this::deleteOfUser);
  }

  private void add(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    JsonBody body = JsonBody.read(ctx, FIELDS);
    String token = body.requiredString("token", Devices.MAX_TOKEN_CHARS);
    String platform = body.requiredString("platform", 16);
    String name = body.optionalString("name", MAX_NAME);
    String appId = body.optionalString("app_id", 128);
    if (token != null && (token.isBlank() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      body.reject("token", ErrorCode.FIELD_INVALID, "The token is the FCM registration token, "
          + "printable ASCII without spaces.");
    }
    if (platform != null && !Device.PLATFORMS.contains(platform)) {
      body.reject("platform", ErrorCode.FIELD_INVALID, "The platform is android, ios or web.");
    }
    if (name != null && name.isBlank()) {
      body.reject("name", ErrorCode.FIELD_INVALID, "The name must not be blank.");
    }
    body.validate();
    Devices.Registered r = devices.register(p.account().id(), p.subject(), token, platform,
        name == null ? defaultName(platform) : name.strip(), appId);
    Responses.json(ctx, r.created() ? 201 : 200, json(r.device()));
  }

  private void mine(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    list(ctx, devices.ofUser(p.account().id(), p.subject()));
  }

  private void rename(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    JsonBody body = JsonBody.read(ctx, Set.of("name"));
    String name = body.requiredString("name", MAX_NAME);
    if (name != null && name.isBlank()) {
      body.reject("name", ErrorCode.FIELD_INVALID, "The name must not be blank.");
    }
    body.validate();
    Responses.json(ctx, 200, json(devices.rename(p.account().id(), p.subject(),
        ctx.pathParam("id"), name.strip())));
  }

  private void deleteMine(Context ctx) {
    BearerAuth.Principal p = bearer.requireSession(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_USER);
    devices.delete(p.account().id(), p.subject(), ctx.pathParam("id"), p.subject());
    ctx.status(204);
  }

  private void ofUser(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_ADMIN);
    Account account = p.account();
    String userId = users.get(account, ctx.pathParam("user_id")).id();
    list(ctx, devices.ofUser(account.id(), userId));
  }

  private void deleteOfUser(Context ctx) {
    BearerAuth.Principal p = bearer.require(ctx, ctx.pathParam("account"),
        SessionService.SCOPE_ADMIN);
    String userId = users.get(p.account(), ctx.pathParam("user_id")).id();
    devices.delete(p.account().id(), userId, ctx.pathParam("id"), p.subject());
    ctx.status(204);
  }

  private static void list(Context ctx, List<Device> all) {
    // one page: a user holds at most JETON_PUSH_DEVICES_PER_USER (100 at most), so there is no
    // next_cursor, as on the last page of any list
    Responses.json(ctx, 200, Map.of("data", all.stream().map(DeviceRoutes::json).toList()));
  }

  private static String defaultName(String platform) {
    return switch (platform) {
      case "android" -> "Android device";
      case "ios" -> "iPhone or iPad";
      default -> "Web browser";
    };
  }

  /** A device as the API shows it: never its registration token. */
  private static Map<String, Object> json(Device d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("user_id", d.userId());
    m.put("platform", d.platform());
    m.put("name", d.name());
    m.put("app_id", d.appId());
    m.put("created_at", Json.time(d.createdAt()));
    m.put("updated_at", Json.time(d.updatedAt()));
    m.put("last_push_at", Json.time(d.lastPushAt()));
    return m;
  }

  private static Set<ErrorCode> errors() {
    Set<ErrorCode> all = new HashSet<>(BearerAuth.ERRORS);
    all.addAll(JsonBody.ERRORS);
    all.addAll(Set.of(ErrorCode.DEVICE_NOT_FOUND, ErrorCode.DEVICE_LIMIT_REACHED,
        ErrorCode.USER_NOT_FOUND, ErrorCode.SESSION_REQUIRED));
    return Set.copyOf(all);
  }
}
