#include "PageHandlers.h"

#include "HtmlPage.h"
#include "Router.h"
#include "server/BrowserSessions.h"
#include "server/Services.h"
#include "server/UserService.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPages, "quorum.http.pages")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

using html::escape;

ApiResponse redirect(const QString &location)
{
    ApiResponse response = ApiResponse::text(303, "text/html; charset=utf-8", QByteArray());
    response.withHeader("Location", location.toUtf8()).withHeader("Cache-Control", "no-store");
    return response;
}

QString hidden(const QString &name, const QString &value)
{
    return u"<input type=\"hidden\" name=\"%1\" value=\"%2\">"_s.arg(name, escape(value));
}

QString field(const QString &name, const QString &label, const QString &type, const QString &value,
              const QString &autocomplete, bool autofocus = false)
{
    return u"<label for=\"%1\">%2</label><input id=\"%1\" name=\"%1\" type=\"%3\" value=\"%4\" "
           "autocomplete=\"%5\" required%6>"_s.arg(name, label, type, escape(value), autocomplete,
                                                   autofocus ? u" autofocus"_s : QString());
}

QString errorBox(const QString &message)
{
    return message.isEmpty() ? QString()
                             : u"<p class=\"error\" role=\"alert\">%1</p>"_s.arg(escape(message));
}

// A refused form post: its CSRF token is missing or wrong (a forged request, or a page left
// open across a sign-out).
ApiResponse forbiddenPage(const QString &retryPath)
{
    return html::page(403, u"Request refused"_s,
                      u"<h1>Request refused</h1><p>This form has expired or did not come from "
                      "this site, so nothing was changed.</p><p><a href=\"%1\">Start again</a>"
                      "</p>"_s.arg(escape(retryPath)));
}

// --- sign in ---

struct SignInForm
{
    QString workspace = u"default"_s;
    QString userName;
    QString next = u"/"_s;
    QByteArray csrf;
    QString error;
};

ApiResponse signInPage(int status, const SignInForm &form, const QByteArray &cookie)
{
    const QString body = u"<h1>Sign in</h1>"_s + errorBox(form.error)
        + u"<form method=\"post\" action=\"/signin\">"_s
        + field(u"workspace"_s, u"Workspace"_s, u"text"_s, form.workspace, u"organization"_s)
        // After a failed attempt the user name is kept: the cursor waits in the password.
        + field(u"user"_s, u"User name"_s, u"text"_s, form.userName, u"username"_s,
                form.userName.isEmpty())
        + field(u"password"_s, u"Password"_s, u"password"_s, QString(), u"current-password"_s,
                !form.userName.isEmpty())
        + hidden(u"next"_s, form.next) + hidden(u"csrf_token"_s, QString::fromLatin1(form.csrf))
        + u"<button type=\"submit\">Sign in</button></form>"_s
        + u"<p class=\"note\">Forgot your password? Ask an administrator of your workspace for "
          "a new set-password link.</p>"_s;
    ApiResponse response = html::page(status, u"Sign in"_s, body);
    if (!cookie.isEmpty())
        response.withHeader("Set-Cookie", cookie);
    return response;
}

ApiResponse getSignIn(ApiRequest &request, Services &services)
{
    const QString next
        = BrowserSessions::safeNext(request.query.queryItemValue(u"next"_s, QUrl::FullyDecoded));
    if (services.sessions.signedIn(request))
        return redirect(next);

    // One token per browser, so that several open sign-in tabs all stay valid.
    SignInForm form;
    form.next = next;
    form.csrf = BrowserSessions::cookie(request, BrowserSessions::kSignInCsrfCookieName);
    if (form.csrf.isEmpty() || form.csrf.size() > 64)
        form.csrf = BrowserSessions::newSignInCsrfToken();
    return signInPage(200, form, services.sessions.signInCsrfCookie(form.csrf));
}

ApiResponse postSignIn(ApiRequest &request, Services &services)
{
    BrowserSessions &sessions = services.sessions;
    const QString csrf = request.formField(u"csrf_token"_s);
    if (!BrowserSessions::signInCsrfMatches(request, csrf))
        return forbiddenPage(u"/signin"_s);

    SignInForm form;
    form.workspace = request.formField(u"workspace"_s).trimmed();
    form.userName = request.formField(u"user"_s).trimmed();
    form.next = BrowserSessions::safeNext(request.formField(u"next"_s));
    form.csrf = csrf.toUtf8();
    const QString password = request.formField(u"password"_s);

    if (const auto wait
        = sessions.signInRetryAfter(form.workspace, form.userName, request.clientAddress)) {
        form.error
            = u"Too many failed sign-ins. Wait %1 minutes and try again."_s.arg((*wait + 59) / 60);
        return signInPage(429, form, QByteArray())
            .withHeader("Retry-After", QByteArray::number(*wait));
    }

    auto signedIn = sessions.signIn(form.workspace, form.userName, password, request.clientAddress);
    if (!signedIn) {
        if (signedIn.error().code != ErrorCode::Unauthorized) {
            form.error = u"Signing in failed. Try again in a moment."_s;
            return signInPage(500, form, QByteArray());
        }
        form.error = u"The workspace, user name or password is not right."_s;
        return signInPage(401, form, QByteArray());
    }
    return redirect(form.next).withHeader("Set-Cookie", sessions.sessionCookie(signedIn->token));
}

// --- sign out ---

ApiResponse getSignOut(ApiRequest &request, Services &services)
{
    const auto user = services.sessions.signedIn(request);
    if (!user)
        return redirect(u"/signin"_s);
    return html::page(
        200, u"Sign out"_s,
        u"<h1>Sign out</h1><p>You are signed in as <strong>%1</strong> in the "
        "workspace <strong>%2</strong>.</p><form method=\"post\" "
        "action=\"/signout\">%3<button type=\"submit\">Sign out</button></form>"_s.arg(
            escape(user->userName), escape(user->workspaceName),
            hidden(u"csrf_token"_s, QString::fromLatin1(user->csrfToken))));
}

ApiResponse postSignOut(ApiRequest &request, Services &services)
{
    BrowserSessions &sessions = services.sessions;
    const auto user = sessions.signedIn(request);
    if (!user)
        return redirect(u"/signin"_s).withHeader("Set-Cookie", sessions.clearedSessionCookie());
    if (!sessions.csrfMatches(*user, request.formField(u"csrf_token"_s)))
        return forbiddenPage(u"/signout"_s);

    if (const Status done = sessions.signOut(*user, request.clientAddress); !done) {
        qCWarning(lcPages) << "signing out failed:" << done.error().detail;
        return html::page(500, u"Sign out"_s,
                          u"<h1>Sign out</h1>"_s
                              + errorBox(u"Signing out failed. Try again in a moment."_s));
    }
    return redirect(u"/signin"_s).withHeader("Set-Cookie", sessions.clearedSessionCookie());
}

// --- set password ---

ApiResponse deadLinkPage()
{
    return html::page(404, u"Link not valid"_s,
                      u"<h1>This link is not valid</h1><p>It is unknown, was used already or has "
                      "expired. Ask an administrator of your workspace for a new one.</p>"_s);
}

ApiResponse setPasswordPage(int status, const User &user, const QString &token,
                            const QString &error)
{
    return html::page(
        status, u"Set your password"_s,
        u"<h1>Set your password</h1><p>For <strong>%1</strong>. Use 12 to 256 characters; a "
        "few unrelated words make a strong one.</p>"_s.arg(escape(user.name))
            + errorBox(error) + u"<form method=\"post\" action=\"/set-password\">"_s
            + field(u"password"_s, u"New password"_s, u"password"_s, QString(), u"new-password"_s,
                    true)
            + field(u"password_again"_s, u"New password again"_s, u"password"_s, QString(),
                    u"new-password"_s)
            + hidden(u"token"_s, token)
            + u"<button type=\"submit\">Set password</button></form>"_s);
}

ApiResponse getSetPassword(ApiRequest &request, Services &services)
{
    const QString token = request.query.queryItemValue(u"token"_s, QUrl::FullyDecoded);
    const auto user = services.users.userForLink(token);
    if (!user)
        return deadLinkPage();
    return setPasswordPage(200, *user, token, QString());
}

ApiResponse postSetPassword(ApiRequest &request, Services &services)
{
    // The link's secret token in the form is what a forged post cannot know: it stands in for
    // a CSRF token here.
    const QString token = request.formField(u"token"_s);
    const auto user = services.users.userForLink(token);
    if (!user)
        return deadLinkPage();
    const QString password = request.formField(u"password"_s);
    if (password != request.formField(u"password_again"_s))
        return setPasswordPage(400, *user, token, u"The two passwords differ."_s);
    if (const auto problem = UserService::passwordProblem(password))
        return setPasswordPage(400, *user, token, u"The password %1."_s.arg(*problem));

    const Status set = services.users.setPasswordWithLink(token, password, request.clientAddress);
    if (!set) {
        if (set.error().code == ErrorCode::NotFound)
            return deadLinkPage();
        return setPasswordPage(500, *user, token, u"Setting the password failed; try again."_s);
    }
    return redirect(u"/signin"_s);
}

// --- home ---

ApiResponse getHome(ApiRequest &request, Services &services)
{
    const auto user = services.sessions.signedIn(request);
    if (!user)
        return redirect(u"/signin"_s);
    return html::page(
        200, u"Signed in"_s,
        u"<h1>You are signed in</h1><dl><dt>User</dt><dd>%1</dd><dt>Workspace</dt><dd>%2</dd>"
        "<dt>Role</dt><dd>%3</dd></dl><form method=\"post\" action=\"/signout\">%4"
        "<button type=\"submit\" class=\"secondary\">Sign out</button></form>"_s.arg(
            escape(user->userName), escape(user->workspaceName), roleName(user->role),
            hidden(u"csrf_token"_s, QString::fromLatin1(user->csrfToken))));
}

} // namespace

void PageHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    auto page = [&](const char *method, const QString &path,
                    ApiResponse (*handler)(ApiRequest &, Services &)) {
        Route route{method, path, AuthMode::None, QString(), false, bind(handler)};
        route.replayable = false;
        route.body = BodyKind::Form;
        router.add(std::move(route));
    };
    page("GET", u"/"_s, getHome);
    page("GET", u"/signin"_s, getSignIn);
    page("POST", u"/signin"_s, postSignIn);
    page("GET", u"/signout"_s, getSignOut);
    page("POST", u"/signout"_s, postSignOut);
    page("GET", u"/set-password"_s, getSetPassword);
    page("POST", u"/set-password"_s, postSetPassword);
}

} // namespace quorum
